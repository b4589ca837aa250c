//! The declared input types of the class-field arguments, with Weaviate 1.27's type names
//! (each prefixed with `GetObjects<Class>` or `AggregateObjects<Class>` in messages), so that
//! literal validation answers with graphql-go's texts.

use crate::graphql::value::{InputType, ScalarKind};

pub(crate) const NEAR_VECTOR: InputType = InputType::Object(
    "NearVectorInpObj",
    &[
        ("vector", InputType::List(&InputType::Float)),
        ("vectorPerTarget", InputType::Any),
        ("certainty", InputType::Float),
        ("distance", InputType::Float),
        ("targetVectors", InputType::List(&InputType::String)),
        ("targets", InputType::Any),
    ],
);

pub(crate) const NEAR_OBJECT: InputType = InputType::Object(
    "NearObjectInpObj",
    &[
        ("id", InputType::String),
        ("beacon", InputType::String),
        ("certainty", InputType::Float),
        ("distance", InputType::Float),
        ("targetVectors", InputType::List(&InputType::String)),
        ("targets", InputType::Any),
    ],
);

/// `where` (common_filters.BuildNew); `operands` recurses into the same fields.
pub(crate) static WHERE: InputType = InputType::Object("WhereInpObj", &WHERE_FIELDS);
static WHERE_OPERANDS: InputType = InputType::Object("WhereOperandsInpObj", &WHERE_FIELDS);

static WHERE_FIELDS: [(&str, InputType); 10] = [
    (
        "operator",
        InputType::Enum {
            name: "WhereOperatorEnum",
            prefixed: true,
            values: &[
                "And",
                "Like",
                "Or",
                "Equal",
                "Not",
                "NotEqual",
                "GreaterThan",
                "GreaterThanEqual",
                "LessThan",
                "LessThanEqual",
                "WithinGeoRange",
                "IsNull",
                "ContainsAny",
                "ContainsAll",
            ],
        },
    ),
    ("path", InputType::List(&InputType::String)),
    ("operands", InputType::List(&WHERE_OPERANDS)),
    ("valueInt", InputType::WhereScalar("Int", ScalarKind::Int)),
    (
        "valueNumber",
        InputType::WhereScalar("Float", ScalarKind::Float),
    ),
    (
        "valueBoolean",
        InputType::WhereScalar("Boolean", ScalarKind::Boolean),
    ),
    (
        "valueString",
        InputType::WhereScalar("TextString", ScalarKind::String),
    ),
    (
        "valueText",
        InputType::WhereScalar("Text", ScalarKind::String),
    ),
    (
        "valueDate",
        InputType::WhereScalar("TextDate", ScalarKind::String),
    ),
    ("valueGeoRange", GEO_RANGE),
];

const GEO_RANGE: InputType = InputType::Object(
    "WhereGeoRangeInpObj",
    &[
        ("geoCoordinates", InputType::NonNull(&GEO_COORDINATES)),
        ("distance", InputType::NonNull(&GEO_DISTANCE)),
    ],
);

const GEO_COORDINATES: InputType = InputType::Object(
    "WhereGeoRangeGeoCoordinatesInpObj",
    &[
        ("latitude", InputType::NonNull(&InputType::Float)),
        ("longitude", InputType::NonNull(&InputType::Float)),
    ],
);

const GEO_DISTANCE: InputType = InputType::Object(
    "WhereGeoRangeDistanceInpObj",
    &[("max", InputType::NonNull(&InputType::Float))],
);

/// One element of `sort: [...]` (get/sort_argument.go).
pub(crate) const SORT: InputType = InputType::Object(
    "SortInpObj",
    &[
        ("path", InputType::List(&InputType::String)),
        (
            "order",
            InputType::Enum {
                name: "SortInpObjTypeEnum",
                prefixed: true,
                values: &["asc", "desc"],
            },
        ),
    ],
);

/// `bm25` (get/sparse_search.go).
pub(crate) const BM25: InputType = InputType::Object(
    "HybridGetBm25InpObj",
    &[
        ("query", InputType::String),
        ("properties", InputType::List(&InputType::String)),
    ],
);

/// `hybrid` (get/hybrid_search.go); `searches` and `maxVectorDistance` are declared so that
/// using them is refused by name rather than as unknown fields.
pub(crate) const HYBRID: InputType = InputType::Object(
    "HybridInpObj",
    &[
        ("query", InputType::String),
        ("alpha", InputType::Float),
        ("vector", InputType::List(&InputType::Float)),
        ("properties", InputType::List(&InputType::String)),
        (
            "fusionType",
            InputType::Enum {
                name: "FusionEnum",
                prefixed: false,
                values: &["rankedFusion", "relativeScoreFusion"],
            },
        ),
        ("targetVectors", InputType::List(&InputType::String)),
        ("maxVectorDistance", InputType::Float),
        ("searches", InputType::Any),
    ],
);

/// `groupBy` of Get (get/group_by_argument.go): every field is required.
pub(crate) const GROUP_BY: InputType = InputType::Object(
    "GroupByInpObj",
    &[
        (
            "path",
            InputType::NonNull(&InputType::List(&InputType::String)),
        ),
        ("groups", InputType::NonNull(&InputType::Int)),
        ("objectsPerGroup", InputType::NonNull(&InputType::Int)),
    ],
);
