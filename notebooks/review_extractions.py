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
# # Review extractions
#
# Look at one document's mentions the way displaCy shows spans, then hunt for what deserves a
# second look before a number is cited: facts whose reports disagree, facts resting on one
# report, and mentions the pipeline could not give a metric or a period.
#
# The store is `$GOVFACTS_DB` when set, else `govfacts.duckdb` here or one folder up; the
# document is `$GOVFACTS_DOC` when set, else the one with the most mentions.

# %%
import json
import os
from pathlib import Path

import pandas as pd
from govfacts.pipeline.aligned import AlignedText
from govfacts.pipeline.records import MENTION_FIELDS, Document, Mention, RawDocument
from govfacts.pipeline.report import document_text
from govfacts.pipeline.spacy_doc import render_html, to_spacy
from govfacts.pipeline.store import open_store
from IPython.display import HTML, display

CANDIDATES = [Path("govfacts.duckdb"), Path("..") / "govfacts.duckdb"]
DB = Path(
    os.environ.get("GOVFACTS_DB") or next((p for p in CANDIDATES if p.exists()), CANDIDATES[0])
)
if not DB.exists():  # first time: run the pipeline on the bundled corpus into the store
    from govfacts.pipeline.read import bundled_corpus
    from govfacts.pipeline.stages import run

    with open_store(DB) as store:
        store.load_all(run([bundled_corpus()]))
        store.build_facts()

with open_store(DB) as store:  # rows keep exact decimals and dates
    documents = store.rows("documents")
    mention_rows = store.rows("mentions")
    facts = pd.DataFrame(store.rows("facts"))
mentions = pd.DataFrame(mention_rows)
print(
    f"store {DB.resolve()}: {len(documents)} documents, {len(mentions)} mentions, "
    f"{len(facts)} facts"
)

# %% [markdown]
# ## One document, its mentions highlighted by kind
# The spans come from the store: the document's normalized text and each mention's offsets,
# turned into a spaCy `Doc` (`to_spacy`) and drawn by displaCy (`render_html`). Everything
# from the document is escaped.

# %%
counts = mentions.groupby("doc_id").size()
DOC_ID = os.environ.get("GOVFACTS_DOC") or counts.idxmax()
row = next(d for d in documents if d["doc_id"] == DOC_ID)
text = document_text(row)
assert text is not None, "text not stored: run `govfacts run --force`"
raw = RawDocument(DOC_ID, text, row["source"] or "", title=row["title"], url=row["url"])
document = Document(
    DOC_ID,
    raw,
    AlignedText.of(text),
    (),
    row["script"],
    row["title"],
    row["published"],
    bool(row["published_inferred"]),
    row["source_org"],
)
doc_mentions = [
    Mention(**{f: m[f] for f in MENTION_FIELDS}) for m in mention_rows if m["doc_id"] == DOC_ID
]
print(DOC_ID, row["title"], f"{len(doc_mentions)} mentions")
spans_html = render_html(to_spacy(document, doc_mentions))
if spans_html:  # displaCy displays by itself inside Jupyter and then returns None
    display(HTML(spans_html))

# %%
COLUMNS = [
    "kind",
    "text",
    "value",
    "unit",
    "status",
    "metric",
    "city",
    "area",
    "period_start",
    "period_end",
    "speaker",
    "role",
]
mentions[mentions.doc_id == DOC_ID][COLUMNS]

# %% [markdown]
# ## Conflicting facts: reports that give different values for one key
# `all_values` lists every distinct value, the chosen one (latest publication) first.

# %%
by_id = {m["mention_id"]: m for m in mention_rows}
conflicts = facts[facts.conflict]
print(f"{len(conflicts)} of {len(facts)} facts have conflicting reports")
for f in conflicts.itertuples():
    print(
        f"\n{f.city} {f.area or ''} {f.period_start}..{f.period_end} {f.metric} {f.kind} "
        f"{f.status}: {json.loads(f.all_values)}"
    )
    for mid in json.loads(f.mention_ids):
        m = by_id[mid]
        print(
            f"  [{m['doc_id']} {m['orig_start']}-{m['orig_end']}] {m['text']}  ←  {m['sentence']}"
        )

# %% [markdown]
# ## Low confidence
# Facts resting on one report with an approximate or bounded value, or from a document whose
# publication date was inferred (its 今年/去年 periods rest on that guess).

# %%
inferred = {d["doc_id"] for d in documents if d["published_inferred"]}
facts["one_report"] = facts.n_documents == 1
facts["inferred_date"] = [bool(set(json.loads(ids)) & inferred) for ids in facts.doc_ids]
low = facts[(facts.one_report & (facts.qualifier != "eq")) | facts.inferred_date]
low[
    [
        "city",
        "area",
        "period_start",
        "period_end",
        "metric",
        "kind",
        "status",
        "value",
        "unit",
        "qualifier",
        "n_documents",
        "inferred_date",
    ]
]

# %% [markdown]
# ## Mentions without a metric or a period
# Numbers that reached no fact: the pipeline did not know what they count, or when.

# %%
quantities = mentions[mentions.kind.isin(["amount", "count", "growth", "share"])]
unplaced = quantities[quantities.metric.isna() | quantities.period_start.isna()]
print(
    pd.crosstab(
        unplaced.kind,
        [
            unplaced.metric.isna().rename("no metric"),
            unplaced.period_start.isna().rename("no period"),
        ],
    )
)
unplaced[["doc_id", "kind", "text", "subject", "metric", "period_start", "sentence"]].head(30)
