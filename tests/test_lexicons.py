"""The extractor lexicons: shape, vocabularies, exact lookups, and `load_table`'s errors.

Each lexicon is loaded through `govfacts.lexicons.load_table` with the columns
its loader declares; then tables of hand-written lookups check that the data
means what the extractors expect (美元 → USD, 以上 is `after`/`ge`, …).
"""

from __future__ import annotations

import pytest
import regex
from govfacts.extractors import context, grammar
from govfacts.extractors.rates import rate_kind
from govfacts.lexicons import LexiconError, load_list, load_table

from govfacts import lexicons

# name → (declared columns, columns whose values together must be unique, columns holding regexes)
LEXICONS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "currencies.tsv": (("surface", "iso", "note"), ("surface",), ()),
    "measure_words.tsv": (("word", "family", "note"), ("word",), ()),
    "not_counts.tsv": (("surface", "reason"), ("surface",), ()),
    "qualifiers.tsv": (("word", "position", "qualifier", "not_after", "note"), ("word", "position"), ()),
    "rate_cues.tsv": (("pattern", "kind", "sign", "note"), ("pattern",), ("pattern",)),
    "status_cues.tsv": (("pattern", "status", "scope", "note"), ("pattern",), ("pattern",)),
    "status_blocks.tsv": (("pattern", "note"), ("pattern",), ("pattern",)),
    "metrics.tsv": (
        ("id", "kinds", "label_zh", "label_en", "stock", "units", "pattern"),
        ("id",),
        ("pattern",),
    ),
    "domain_terms.tsv": (("word", "freq", "pos", "note"), ("word",), ()),
}

# name → column → the values it may take (a set) or a regex every value must fullmatch.
VOCABULARIES: dict[str, dict[str, frozenset[str] | str]] = {
    "currencies.tsv": {"iso": r"[A-Z]{3}"},
    "measure_words.tsv": {
        "family": frozenset({"item", "firm", "event", "person", "team", "land", "capacity"})
    },
    "qualifiers.tsv": {
        "position": frozenset({"before", "after", "infix", "link"}),
        "qualifier": frozenset({"eq", "approx", "ge", "le"}),
    },
    "rate_cues.tsv": {"kind": frozenset({"growth", "share"}), "sign": frozenset({"1", "-1"})},
    "status_cues.tsv": {
        "status": frozenset({"actual", "target", "plan"}),
        "scope": frozenset({"clause", "sentence"}),
    },
    "metrics.tsv": {
        "id": r"[a-z][a-z_]*",
        "kinds": r"(?:count|amount|growth|share)(?:\|(?:count|amount|growth|share))*",
        "stock": frozenset({"yes", "no"}),
    },
    "domain_terms.tsv": {
        "freq": r"[1-9]\d*",
        "pos": frozenset({"n", "v", "m", "ns", "nz", "nt", "nr", "a", "vn", "q"}),
    },
}


def _rows(name: str) -> tuple[dict[str, str], ...]:
    columns, unique, _ = LEXICONS[name]
    return load_table(name, columns, key=unique[0] if len(unique) == 1 else None)


# ---------------------------------------------------------------------------
# Shape: header comment, declared columns, no duplicates, vocabularies, regexes.


@pytest.mark.parametrize("name", list(LEXICONS))
def test_loads_with_declared_columns(name: str) -> None:
    assert len(_rows(name)) > 0


@pytest.mark.parametrize("name", list(LEXICONS))
def test_header_comment_gives_source_and_date(name: str) -> None:
    text = lexicons.read_text(name)
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert text.startswith("#")
    assert any("Source" in line for line in comments), f"{name}: no Source line"
    assert any(regex.search(r"\b20\d\d-\d\d\b", line) for line in comments), f"{name}: no date"


@pytest.mark.parametrize("name", list(LEXICONS))
def test_no_duplicates(name: str) -> None:
    _, unique, _ = LEXICONS[name]
    keys = [tuple(r[c] for c in unique) for r in _rows(name)]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})


@pytest.mark.parametrize("name", list(LEXICONS))
def test_no_empty_key_cells(name: str) -> None:
    _, unique, _ = LEXICONS[name]
    assert all(r[c] for r in _rows(name) for c in unique)


@pytest.mark.parametrize(
    ("name", "column"), [(n, c) for n, cols in VOCABULARIES.items() for c in cols]
)
def test_vocabulary(name: str, column: str) -> None:
    allowed = VOCABULARIES[name][column]
    for row in _rows(name):
        value = row[column]
        if isinstance(allowed, str):
            assert regex.fullmatch(allowed, value), f"{name}: {column}={value!r}"
        else:
            assert value in allowed, f"{name}: {column}={value!r}"


@pytest.mark.parametrize(
    ("name", "column"), [(n, c) for n, (_, _, rx) in LEXICONS.items() for c in rx]
)
def test_patterns_compile_and_match_no_empty_string(name: str, column: str) -> None:
    for row in _rows(name):
        pattern = regex.compile(row[column])
        assert pattern.fullmatch("") is None, f"{name}: {row[column]!r} matches the empty string"


def test_grammar_builds_every_pattern() -> None:
    """The compiled grammar (what the extractors really use) loads from these files."""
    assert grammar.amount_pattern().search("52.9亿元")
    assert grammar.count_pattern().search("322个")
    assert grammar.rate_pattern().search("147.7%")
    assert grammar.rate_cues() and grammar.status_cues() and grammar.metrics()
    assert grammar.status_blocks().pattern


SCAN_TEXTS = [
    "签约项目52个，总投资52.9亿元，同比增长147.7%",
    "年产5万吨、装机40千瓦时，三分之一以上",
    "百分之五十百分之三十，增长1.5倍，三成",
    "10亿50亿元、10亿-50亿元、3-5亿元、约3000多万元",
    "亿元以上项目，新加坡元100新加坡元，港元5港元",
    "A-5%，−3.17%，多元化，许多元素，一、二、三个",
    "二〇二二年签约一批项目，三位一体，数百家企业，前10名",
]


@pytest.mark.parametrize(
    "pattern, runs",
    [
        (grammar.amount_pattern, grammar.amount_runs),
        (grammar.count_pattern, grammar.count_runs),
        (grammar.rate_pattern, grammar.rate_runs),
    ],
)
@pytest.mark.parametrize("text", SCAN_TEXTS)
def test_scan_gives_the_matches_of_finditer(pattern, runs, text: str) -> None:
    """The anchored scan finds what a scan of every position finds (an amount's bare 元 aside)."""

    def spans(matches):
        return [(m.span(), m.groupdict()) for m in matches if "cur" not in m.groupdict() or m["num"] or m["mult"]]

    assert spans(grammar.scan(pattern(), runs(), text)) == spans(pattern().finditer(text))


def _case_texts() -> list[str]:
    import json
    from pathlib import Path

    texts = []
    for path in sorted((Path(__file__).parent / "cases").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            texts.append(case.get("text") or case.get("sentence") or "")
    return texts


def test_required_chars_hold_in_every_match() -> None:
    """Each lexicon pattern's matches (overlapping too) hold the characters of one of its ways."""
    patterns = [c.pattern for c in grammar.status_cues()] + [c.pattern for c in grammar.rate_cues()]
    patterns += [m.pattern for m in grammar.metrics()]
    texts = _case_texts()
    checked = 0
    for p in patterns:
        ways = grammar.required_chars(p.pattern)
        for text in texts:
            for m in p.finditer(text, overlapped=True):
                assert grammar.may_match(ways, set(m.group())), (p.pattern, m.group())
                checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    "source, ways",
    [
        ("力争", [{"力", "争"}]),
        ("签约|合同", [{"签", "约"}, {"合", "同"}]),
        ("(?<!完成[^，。；]{0,10})任务", [{"任", "务"}]),
        ("(?:新|正在)?对接[^，。；]{0,16}项目", [{"对", "接", "项", "目"}]),
        ("(?:增长|提高)(?:了)?", [{"增", "长"}, {"提", "高"}]),
        ("约?", None),  # matches the empty string
        ("[^，。]{0,3}|的", None),  # one way needs nothing
        (r"\p{Han}+项目", None),  # syntax the standard parser does not read
        ("(?i)ab", None),
    ],
)
def test_required_chars(source: str, ways) -> None:
    found = grammar.required_chars(source)
    assert (None if found is None else [set(w) for w in found]) == ways


# ---------------------------------------------------------------------------
# Exact lookups, one table per lexicon.

CURRENCIES = [
    ("元", "CNY"),
    ("美元", "USD"),
    ("美金", "USD"),
    ("欧元", "EUR"),
    ("港元", "HKD"),
    ("港币", "HKD"),
    ("日元", "JPY"),
]


@pytest.mark.parametrize(("surface", "iso"), CURRENCIES, ids=[s for s, _ in CURRENCIES])
def test_currency(surface: str, iso: str) -> None:
    assert grammar.currencies()[surface] == iso


@pytest.mark.parametrize("surface", ["万元", "亿元", "人民币", "块"])
def test_not_a_currency_surface(surface: str) -> None:
    """Multipliers belong to the number grammar; 人民币 is a name, not a unit after a number."""
    assert surface not in grammar.currencies()


MEASURE_WORDS = [
    ("批次", "event"),
    ("批", "event"),
    ("个", "item"),
    ("家", "firm"),
    ("名", "person"),
    ("人次", "person"),
    ("支", "team"),
    ("亩", "land"),
    ("平方米", "land"),
    ("吨标准煤", "capacity"),
    ("千瓦", "capacity"),
]


@pytest.mark.parametrize(("word", "family"), MEASURE_WORDS, ids=[w for w, _ in MEASURE_WORDS])
def test_measure_word(word: str, family: str) -> None:
    assert grammar.measure_words()[word] == family


@pytest.mark.parametrize("word", ["年", "月", "天", "届", "%", "元"])
def test_not_a_measure_word(word: str) -> None:
    assert word not in grammar.measure_words()


@pytest.mark.parametrize("surface", ["个月", "个工作日", "个百分点", "个季度", "人民币"])
def test_not_count(surface: str) -> None:
    assert surface in grammar.not_counts()


def test_every_not_count_starts_with_a_measure_word() -> None:
    words = grammar.measure_words()
    for surface in grammar.not_counts():
        assert any(surface.startswith(w) for w in words), surface


QUALIFIERS = [
    ("约", "before", "approx"),
    ("近", "before", "approx"),
    ("超过", "before", "ge"),
    ("超", "before", "ge"),
    ("逾", "before", "ge"),
    ("突破", "before", "ge"),
    ("过", "before", "ge"),
    ("不少于", "before", "ge"),
    ("不足", "before", "le"),
    ("最高", "before", "le"),
    ("以上", "after", "ge"),
    ("左右", "after", "approx"),
    ("余", "infix", "approx"),
    ("多", "infix", "approx"),
    ("为", "link", "eq"),
    ("了", "link", "eq"),
]


@pytest.mark.parametrize(
    ("word", "position", "qualifier"), QUALIFIERS, ids=[f"{w}-{p}" for w, p, _ in QUALIFIERS]
)
def test_qualifier(word: str, position: str, qualifier: str) -> None:
    assert grammar.qualifier_words()[position][word] == qualifier


RATE_CUES = [
    # (text before the number, kind, sign)
    ("同比增长", "growth", 1),
    ("同比下降", "growth", -1),
    ("环比增长", "growth", 1),
    ("环比下降", "growth", -1),
    ("同比分别增长", "growth", 1),
    ("减少", "growth", -1),
    ("增速达", "growth", 1),
    ("降幅为", "growth", -1),
    ("占", "share", 1),
    ("占比", "share", 1),
    ("比重为", "share", 1),
    ("占全市的", "share", 1),
    ("完成年度目标任务的", "share", 1),
    ("开工率达到", "share", 1),
    ("履约率", "share", 1),
    ("按投资额的", "share", 1),
]


@pytest.mark.parametrize(("before", "kind", "sign"), RATE_CUES, ids=[b for b, _, _ in RATE_CUES])
def test_rate_cue(before: str, kind: str, sign: int) -> None:
    text = before + "5%"
    assert rate_kind(text, len(before), 0) == (kind, sign)


def test_a_rate_cue_fullmatches_tongbi_xiajiang() -> None:
    cues = [c for c in grammar.rate_cues() if c.pattern.fullmatch("同比下降")]
    assert cues and all((c.kind, c.sign) == ("growth", -1) for c in cues)


STATUS_CUES = [
    # (text before the number, status)
    ("力争全年引进项目", "target"),
    ("确保签约项目", "target"),
    ("目标为", "target"),
    ("今年计划新开工项目", "target"),
    ("年度计划投资", "target"),
    ("拟投资", "plan"),
    ("预计年产值", "plan"),
    ("谋划项目", "plan"),
    ("储备项目", "plan"),
    ("在谈项目", "plan"),
    ("签约项目计划总投资", "actual"),
    ("力争全年引进项目50个，已签约项目", "actual"),
    ("完成年度目标任务的", "actual"),
    ("新签约项目", "actual"),
]


@pytest.mark.parametrize(("before", "status"), STATUS_CUES, ids=[b for b, _ in STATUS_CUES])
def test_status_cue(before: str, status: str) -> None:
    text = before + "12个"
    assert context.status_of(text, len(before), 0) == status


def test_jihua_xinkaigong_is_a_target_cue_of_the_lexicon() -> None:
    assert any(
        c.status == "target" and c.pattern.search("计划新开工") for c in grammar.status_cues()
    )


STATUS_BLOCKS = [
    ("项目计划总投资", True),
    ("计划总投资约", True),
    ("年度计划投资", False),
    ("计划新开工", False),
]


@pytest.mark.parametrize(("before", "blocked"), STATUS_BLOCKS, ids=[b for b, _ in STATUS_BLOCKS])
def test_status_block(before: str, blocked: bool) -> None:
    assert bool(grammar.status_blocks().search(before)) is blocked


METRICS = [
    ("count", "签约工业项目", "projects_signed"),
    ("count", "新开工项目", "projects_started"),
    ("count", "在谈项目", "projects_negotiating"),
    ("count", "储备项目", "projects_planned"),
    ("count", "竣工项目", "projects_completed"),
    ("count", "招商小分队", "teams"),
    ("amount", "实际使用外资", "foreign_investment"),
    ("amount", "固定资产投资", "fixed_asset_investment"),
    ("amount", "到位资金", "funds_in_place"),
    ("count", "天气晴好", None),
]


@pytest.mark.parametrize(("kind", "subject", "metric"), METRICS, ids=[s for _, s, _ in METRICS])
def test_metric_of(kind: str, subject: str, metric: str | None) -> None:
    assert context.metric_of(kind, subject) == metric


def test_metric_labels_are_given() -> None:
    for m in grammar.metrics():
        assert m.label_zh and m.label_en, m.id


DOMAIN_TERMS = [
    ("招商引资", "n"),
    ("同比增长", "v"),
    ("同比下降", "v"),
    ("亿元", "m"),
    ("签约项目", "n"),
    ("总投资", "n"),
]


@pytest.mark.parametrize(("word", "pos"), DOMAIN_TERMS, ids=[w for w, _ in DOMAIN_TERMS])
def test_domain_term(word: str, pos: str) -> None:
    rows = {r["word"]: r for r in _rows("domain_terms.tsv")}
    assert rows[word]["pos"] == pos
    assert int(rows[word]["freq"]) > 0


# ---------------------------------------------------------------------------
# load_table / load_list reject malformed files, naming file and line.

GOOD = (
    "# a test lexicon\n# Source: tests, 2026-11.\n\n"
    "word\tnote\n甲\t first \n\n# a comment row\n乙\t\n"
)

BAD_TABLES = [
    (
        "bad-header",
        "# c\nword\tcomment\n甲\tx\n",
        r"^bad\.tsv:2: header \['word', 'comment'\] is not \['word', 'note'\]",
    ),
    ("extra-column", "# c\nword\tnote\textra\n", r"^bad\.tsv:2: header"),
    (
        "duplicate-key",
        "# c\nword\tnote\n甲\tx\n乙\ty\n甲\tz\n",
        r"^bad\.tsv:5: duplicate word '甲' \(first on line 3\)",
    ),
    (
        "too-few-cells",
        "# c\nword\tnote\n甲\tx\n乙\n",
        r"^bad\.tsv:4: 1 cells where the header has 2",
    ),
    (
        "too-many-cells",
        "# c\nword\tnote\n甲\tx\ty\n",
        r"^bad\.tsv:3: 3 cells where the header has 2",
    ),
    ("no-header", "# only comments\n\n", r"^bad\.tsv: no header row"),
]


@pytest.fixture
def fake_files(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Lexicon texts served by name instead of the package folder."""
    files: dict[str, str] = {}
    monkeypatch.setattr(lexicons, "read_text", lambda name: files[name])
    return files


def test_load_table_reads_a_good_file(fake_files: dict[str, str]) -> None:
    fake_files["good.tsv"] = GOOD
    rows = load_table.__wrapped__("good.tsv", ("word", "note"), key="word")  # uncached
    assert rows == ({"word": "甲", "note": "first"}, {"word": "乙", "note": ""})


@pytest.mark.parametrize(
    ("text", "message"), [(t, m) for _, t, m in BAD_TABLES], ids=[i for i, _, _ in BAD_TABLES]
)
def test_load_table_rejects(fake_files: dict[str, str], text: str, message: str) -> None:
    fake_files["bad.tsv"] = text
    with pytest.raises(LexiconError, match=message):
        load_table.__wrapped__("bad.tsv", ("word", "note"), key="word")


def test_duplicates_allowed_without_key(fake_files: dict[str, str]) -> None:
    fake_files["dup.tsv"] = "# c\nword\tnote\n甲\tx\n甲\ty\n"
    assert len(load_table.__wrapped__("dup.tsv", ("word", "note"))) == 2


def test_load_list(fake_files: dict[str, str]) -> None:
    fake_files["good.txt"] = "# c\n甲\n\n 乙 \n"
    assert load_list.__wrapped__("good.txt") == ("甲", "乙")


def test_load_list_rejects_duplicates(fake_files: dict[str, str]) -> None:
    fake_files["bad.txt"] = "# c\n甲\n乙\n甲\n"
    with pytest.raises(LexiconError, match=r"^bad\.txt:4: duplicate '甲' \(first on line 2\)"):
        load_list.__wrapped__("bad.txt")


def test_lexicon_error_is_a_value_error() -> None:
    assert issubclass(LexiconError, ValueError)


@pytest.mark.parametrize(
    "phrase,subject",
    [
        ("全市新签约工业项目", "新签约工业项目"),  # scope word trimmed from the front
        ("其中累计实现到位资金", "到位资金"),  # several front words in a row
        ("利用省外资金共计", "利用省外资金"),  # linking word trimmed from the end
        ("签约项目", "签约项目"),  # nothing to trim
    ],
)
def test_subject_words_trim_subjects(phrase, subject):
    from govfacts.extractors.context import subject_before

    text = phrase + "12个"
    assert subject_before(text, len(phrase)) == subject


def test_subject_words_roles():
    from govfacts.extractors.grammar import subject_words

    words = subject_words()
    assert {"全市", "其中", "累计"} <= words["head"] and {"共计", "的"} <= words["tail"]
    assert {"总投资", "同比增长", "占比"} <= words["generic"]
