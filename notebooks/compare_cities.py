# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Compare cities
#
# Load the govfacts store, pivot the `city_period` table, chart cities side by side and set
# each target beside its latest actual. Every number here can be traced back to its sentence
# with `govfacts report` (or the `review_extractions` notebook).
#
# The store is `$GOVFACTS_DB` when set, else `govfacts.duckdb` here or one folder up (where
# the README's `govfacts run` writes it). If there is none yet, the bundled corpus is loaded
# into it first.

# %%
import os
from pathlib import Path

import duckdb
import matplotlib.pyplot as plt
import pandas as pd
from govfacts.pipeline.facts import column_labels, parse_column, status_labels
from govfacts.pipeline.plot import (
    cjk_font,
    growth_chart_data,
    metric_chart_data,
    period_label,
    render,
)
from IPython.display import SVG, display

CANDIDATES = [Path("govfacts.duckdb"), Path("..") / "govfacts.duckdb"]
DB = Path(
    os.environ.get("GOVFACTS_DB") or next((p for p in CANDIDATES if p.exists()), CANDIDATES[0])
)
if not DB.exists():  # first time: run the pipeline on the bundled corpus into the store
    from govfacts.pipeline.read import bundled_corpus
    from govfacts.pipeline.stages import run
    from govfacts.pipeline.store import open_store

    with open_store(DB) as store:
        store.load_all(run([bundled_corpus()]))
        store.build_facts()
print("store:", DB.resolve())

# %% [markdown]
# ## The wide table as the store keeps it
# One row per city, area and period; one column per status, metric and kind. Amounts are in
# 亿 of their currency, counts as counted, rates in %.

# %%
con = duckdb.connect(str(DB), read_only=True)
wide = con.sql("SELECT * FROM city_period").df()
wide.head()

# %% [markdown]
# ## Long format: one row per value, with readable labels

# %%
KEYS = ["city", "area", "period_start", "period_end"]
long = wide.melt(id_vars=KEYS, var_name="column", value_name="value").dropna(subset=["value"])
meta = pd.DataFrame(
    [
        {
            "column": c,
            "metric": col.metric,
            "kind": col.kind,
            "status": col.status,
            "scope": col.scope,
            "label": column_labels(col)[0],
            "status_label": status_labels(col)[0],
        }
        for c in wide.columns[len(KEYS) :]
        for col in [parse_column(c)]
    ]
)
long = long.merge(meta, on="column")
long["period"] = [
    period_label(a.date(), b.date())
    for a, b in zip(long.period_start, long.period_end, strict=True)
]
long["place"] = long.city.fillna("—") + long.area.map(
    lambda a: f"·{a}" if isinstance(a, str) else ""
)
long[["place", "period", "label", "status_label", "value"]].head(20)

# %% [markdown]
# ## Pivot: cities across, periods down (reported actuals)

# %%
actual = long[(long.status == "actual") & (long.scope == "reported")]
pivot = actual.pivot_table(
    index=["label", "period"], columns="place", values="value", aggfunc="first"
)
pivot  # noqa: B018 - a notebook shows its last expression

# %% [markdown]
# ## Signed projects and signed investment, cities side by side
# `govfacts.pipeline.plot` draws with a CJK font found on the system (Noto Sans CJK SC from
# `fonts-noto-cjk` first); without one it says what to install rather than draw boxes.

# %%
columns, rows = list(wide.columns), con.sql("SELECT * FROM city_period").fetchall()
rows = [
    dict(zip(columns, r, strict=True)) for r in rows
]  # exact decimals and dates, as the store holds them
for metric in ("projects_signed", "investment_signed"):
    if metric in set(meta.metric):
        display(SVG(render(metric_chart_data(columns, rows, metric), "svg")))

# %%
try:
    display(SVG(render(growth_chart_data(columns, rows), "svg")))
except ValueError as exc:  # no growth rates in this store
    print(exc)

# %% [markdown]
# ## Targets beside actuals
# Each target next to the latest actual of the same city, area, metric and year;
# `attainment` = actual / target for counts and amounts of the same unit.

# %%
targets = con.sql("SELECT * FROM targets ORDER BY city, area, year, metric").df()
targets["metric_label"] = [
    column_labels(parse_column(f"target__{m}" + ("__yi_" + u.lower() if k == "amount" else "")))[0]
    for m, k, u in zip(targets.metric, targets.kind, targets.target_unit.fillna("CNY"), strict=True)
]
targets[
    [
        "city",
        "area",
        "year",
        "metric_label",
        "target_value",
        "actual_value",
        "actual_period_end",
        "attainment",
    ]
]

# %%
paired = targets.dropna(subset=["attainment"]).copy()
if paired.empty:
    print("no target has an actual to compare with yet")
else:
    plt.rcParams["font.family"] = [cjk_font(), "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    paired["name"] = paired.city + " " + paired.metric_label + " " + paired.year.astype(str)
    ax = (paired.set_index("name").attainment.astype(float) * 100).plot.barh(
        figsize=(7, 0.5 + 0.5 * len(paired))
    )
    ax.axvline(100, color="#b3261e", linewidth=1)
    ax.set_xlabel("完成率 attainment (%)")
    ax.set_ylabel("")
    ax.set_title("目标完成情况 · targets vs latest actuals")
    plt.show()

# %%
con.close()
