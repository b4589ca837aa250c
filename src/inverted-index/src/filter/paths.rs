//! Conditions on derived values: property length, null state, timestamps, geo distance and
//! reference counts.

use roaring::RoaringBitmap;
use types::filter::{Condition, FilterValue, Operator};
use types::schema::DataType;

use super::text::{invalid, type_name};
use super::{bounds, Cmp, Eval};
use crate::config::PropertySpec;
use crate::index::{is_length, time_key, Bsi, PropIndex};
use crate::postings::codec;
use crate::Result;

/// Mean Earth radius of Weaviate's geo distance, meters.
const EARTH_RADIUS_M: f64 = 6371e3;

/// Great-circle distance in meters (haversine, as Weaviate's `geoDist`).
pub(crate) fn geo_distance(lat_a: f64, lon_a: f64, lat_b: f64, lon_b: f64) -> f64 {
    let (la, lb) = (lat_a.to_radians(), lat_b.to_radians());
    let dlat = (lat_b - lat_a).to_radians();
    let dlon = (lon_b - lon_a).to_radians();
    let a = (dlat / 2.0).sin().powi(2) + la.cos() * lb.cos() * (dlon / 2.0).sin().powi(2);
    EARTH_RADIUS_M * 2.0 * a.sqrt().atan2((1.0 - a).sqrt())
}

impl Eval<'_> {
    /// Docs whose count (length, number of references) satisfies `op v`; docs without the
    /// property count 0. `NotEqual` is the complement of `Equal`.
    fn count_op(&self, p: &PropIndex, op: Operator, v: i64) -> RoaringBitmap {
        let Some(cmp) = Cmp::of(op) else {
            return RoaringBitmap::new();
        };
        let mut out = RoaringBitmap::new();
        for (len, docs) in &p.lengths {
            if is_length(*len) && cmp.holds(&i64::from(*len), &v) {
                out |= docs;
            }
        }
        if cmp.holds(&0, &v) {
            out |= self.complement(&p.present);
        }
        if op == Operator::NotEqual {
            self.complement(&out)
        } else {
            out
        }
    }

    /// `["len(prop)"]`.
    pub(super) fn length(&self, name: &str, c: &Condition) -> Result<RoaringBitmap> {
        let spec = self.config.property(name).ok_or_else(|| {
            invalid(format!(
                "no such prop with name '{name}' found in the schema"
            ))
        })?;
        let FilterValue::Int(v) = c.value else {
            return Err(invalid(format!(
                "Filtering for property length requires IntValue, got \"{}\" instead",
                c.value.field_name()
            )));
        };
        if Cmp::of(c.operator).is_none() {
            return Err(invalid(format!(
                "Filtering for property length supports operators (not) equal and greater/less than (equal), got \"{}\" instead",
                c.operator.name()
            )));
        }
        if v < 0 {
            return Err(invalid(format!(
                "Can only filter for positive property length got {v} instead"
            )));
        }
        let has_length = matches!(
            spec.data_type,
            DataType::Text
                | DataType::TextArray
                | DataType::IntArray
                | DataType::NumberArray
                | DataType::BooleanArray
                | DataType::DateArray
                | DataType::UuidArray
        );
        if !has_length {
            return Err(invalid(format!(
                "len() is not supported on property '{name}' of type '{}': lengths are indexed for text and array properties. Geo-coordinates, phone numbers and data blobs are not supported by property length.",
                type_name(&spec.data_type)
            )));
        }
        if !self.config.index_property_length {
            return Err(invalid(
                "Property length must be indexed to be filterable! add `IndexPropertyLength: true` to the invertedIndexConfig. Geo-coordinates, phone numbers and data blobs are not supported by property length.".into(),
            ));
        }
        Ok(self.count_op(self.index_of(name), c.operator, v))
    }

    /// `IsNull` on a property.
    pub(super) fn is_null(&self, spec: &PropertySpec, c: &Condition) -> Result<RoaringBitmap> {
        let FilterValue::Boolean(null) = c.value else {
            return Err(invalid(format!(
                "operator IsNull requires a booleanValue, got \"{}\" instead",
                c.value.field_name()
            )));
        };
        if !self.config.index_null_state {
            return Err(invalid(
                "Nullstate must be indexed to be filterable! Add `indexNullState: true` to the invertedIndexConfig".into(),
            ));
        }
        let not_null = &self.index_of(&spec.name).not_null() & &self.state.all;
        Ok(if null {
            self.complement(&not_null)
        } else {
            not_null
        })
    }

    /// `_creationTimeUnix` / `_lastUpdateTimeUnix`.
    pub(super) fn timestamp(
        &self,
        times: &Bsi,
        name: &str,
        c: &Condition,
    ) -> Result<RoaringBitmap> {
        if !self.config.index_timestamps {
            return Err(invalid(
                "Timestamps must be indexed to be filterable! Add `IndexTimestamps: true` to the InvertedIndexConfig"
                    .into(),
            ));
        }
        if matches!(
            c.operator,
            Operator::Like | Operator::IsNull | Operator::WithinGeoRange
        ) {
            return Err(invalid(format!(
                "operator {} cannot be used on {name}",
                c.operator.name()
            )));
        }
        self.contains(c, |value, op| {
            let ms = match value {
                FilterValue::Text(s) => s
                    .parse::<i64>()
                    .map_err(|_| invalid(format!("expected value to be timestamp, got '{s}'")))?,
                FilterValue::Date(s) => codec::date_ms(s)
                    .ok_or_else(|| invalid(format!("trying parse time as RFC3339 string: cannot parse {s:?}")))?,
                FilterValue::Int(_)
                | FilterValue::Number(_)
                | FilterValue::Boolean(_)
                | FilterValue::TextList(_)
                | FilterValue::IntList(_)
                | FilterValue::NumberList(_)
                | FilterValue::BooleanList(_)
                | FilterValue::DateList(_)
                | FilterValue::GeoRange { .. } => {
                    return Err(invalid(format!(
                        "using [\"{name}\"] to filter by timestamp: must use \"valueText\" or \"valueDate\""
                    )))
                }
            };
            let Some(cmp) = Cmp::of(op) else {
                return Ok(RoaringBitmap::new());
            };
            let (lo, hi) = bounds(cmp, time_key(ms));
            let docs = times.range(lo, hi);
            Ok(if op == Operator::NotEqual { self.complement(&docs) } else { docs })
        })
    }

    /// A `geoCoordinates` property: only `WithinGeoRange`.
    pub(super) fn geo(&self, spec: &PropertySpec, c: &Condition) -> Result<RoaringBitmap> {
        let FilterValue::GeoRange {
            latitude,
            longitude,
            max_distance_m,
        } = c.value
        else {
            return Err(invalid(format!(
                "prop \"{}\" is of type geoCoordinates, it can only be used with geoRange filters",
                spec.name
            )));
        };
        if c.operator != Operator::WithinGeoRange {
            return Err(invalid(format!(
                "prop \"{}\" is of type geoCoordinates, it can only be used with geoRange filters",
                spec.name
            )));
        }
        let mut out = RoaringBitmap::new();
        for (doc, (lat, lon)) in &self.index_of(&spec.name).geo {
            if geo_distance(latitude, longitude, *lat, *lon) <= max_distance_m {
                out.insert(*doc);
            }
        }
        Ok(out)
    }

    /// A reference property with `valueInt`: the number of references (missing = 0).
    pub(super) fn ref_count(&self, spec: &PropertySpec, c: &Condition) -> Result<RoaringBitmap> {
        if !(spec.filterable || spec.searchable || spec.range_filters) {
            return Err(invalid(format!(
                "Searching by property '{0}' count requires inverted index. Is `indexFilterable` option of property '{0}' enabled? Set it to `true` or leave empty",
                spec.name
            )));
        }
        let p = self.index_of(&spec.name);
        self.contains(c, |value, op| {
            let (FilterValue::Int(v), Some(_)) = (value, Cmp::of(op)) else {
                return Err(invalid(format!(
                    "Property \"{}\" is a ref prop. Only \"valueInt\" with (not) equal and greater/less than (equal) can be used on a ref prop directly to count the number of refs; filtering on properties of referenced objects is not supported",
                    spec.name
                )));
            };
            Ok(self.count_op(p, op, *v))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::geo_distance;

    #[test]
    fn haversine_distances() {
        assert_eq!(geo_distance(52.0, 4.0, 52.0, 4.0), 0.0);
        // one degree of latitude is about 111.19 km on a 6371 km sphere
        let d = geo_distance(0.0, 0.0, 1.0, 0.0);
        assert!((d - 111_194.9).abs() < 1.0, "{d}");
        // Amsterdam - Berlin, about 577 km
        let d = geo_distance(52.3676, 4.9041, 52.52, 13.405);
        assert!((d - 577_000.0).abs() < 3_000.0, "{d}");
    }
}
