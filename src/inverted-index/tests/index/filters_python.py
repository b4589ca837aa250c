# Regenerate filters_python.json (used by filters_python.rs) from the acceptance suite, with
# numpy installed: PYTHONPATH=<shared>/client-tests python3 filters_python.py > filters_python.json
# It exports test_filters.py's ROWS and CASES with each case's expected rows (the suite's own
# Python evaluation) as a hex bitmask over the rows (bit i = row i, lowest bit first).
import json
import sys
import types

for name in ["requests", "pytest"]:
    try:
        __import__(name)
    except ImportError:
        mod = types.ModuleType(name)
        if name == "pytest":
            class _Mark:
                def __getattr__(self, _):
                    return lambda *a, **k: (lambda f: f)
            mod.fixture = lambda *a, **k: (lambda f: f)
            mod.mark = _Mark()
        sys.modules[name] = mod

import test_filters as t  # noqa: E402

index = {r["id"]: i for i, r in enumerate(t.ROWS)}
rows = [[r["id"], r["props"]] for r in t.ROWS]
cases = []
for case_id, where, pred, _ in t.CASES:
    mask = sum(1 << index[i] for i in t.expected_ids(pred))
    cases.append([case_id, where, format(mask, "x")])
json.dump({"rows": rows, "cases": cases}, sys.stdout, separators=(",", ":"))
print()
