"""One typed configuration: a dataclass per stage, nested in `Config`, defaults in one place.

Every threshold carries a comment on how it was chosen. "dev" below means the labelled development
sets in `../shared/eval` (seeds, rewrites-dev, clough); values were picked on them and left on round
numbers with a margin, not fitted to single documents. A TOML file can override any field:

    [candidates]
    knn = 20
    [classify]
    spin_coverage = 0.6
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copytrace.errors import ConfigError

# Where one text's coverage of a shared passage is under this share of the other's, one text is
# about three times the other: see `ClassifyConfig.unlike_length_ratio` and
# `StoryConfig.fidelity_length_ratio`.
UNLIKE_LENGTH_RATIO = 0.35


@dataclass(frozen=True, slots=True)
class ReadConfig:
    """How inputs are read."""

    on_error: str = "skip"  # "skip" a bad file or line and go on, or "fail" the run
    min_chars: int = 20  # shorter texts are reported as empty and skipped
    max_bytes: int = (
        50_000_000  # larger single files are refused (a text file this big is not an article)
    )


@dataclass(frozen=True, slots=True)
class CleanConfig:
    """Boilerplate removal."""

    # A short line that occurs in at least this many documents, and in at least `repeated_share` of
    # them, is boilerplate ("Reuter", a site's footer). 5 keeps a quote repeated by four outlets.
    repeated_min_docs: int = 5
    repeated_share: float = 0.002
    repeated_max_chars: int = 120  # only short lines can be boilerplate by repetition


@dataclass(frozen=True, slots=True)
class CandidateConfig:
    """Stage one: which pairs are worth aligning."""

    num_perm: int = (
        128  # MinHash permutations; 128 keeps the Jaccard estimate within ~0.09 (2 sigma)
    )
    shingle: int = 3  # word n-grams for MinHash: 3 survives light edits better than 5
    # LSH threshold on word 3-gram Jaccard. Near copies and partial reuse on dev sit above 0.3; 0.2
    # leaves room for copies with boilerplate and a dropped paragraph.
    minhash_threshold: float = 0.2
    knn: int = 10  # neighbours per document on the document vector (spins, same-story reports)
    # The document vector joins the static embedding with a hashed TF-IDF of words and anchors
    # (names, numbers): meaning alone puts every Reuters earnings report next to every other.
    # Weight and floor chosen on rewrites-dev + 5,000 Reuters articles and clough: at 0.5/0.5 no
    # gold pair is lost and candidates fall from ~43,000 to ~16,000. A floor of 0.55 would drop
    # 42% of the pairs of a 1,000-document add to the 100k benchmark store (vector-only pairs at
    # 0.50-0.55, of which 4% end related) with every dev-set figure unchanged, but the lowest
    # gold pair found by its vector alone sits at 0.574 (clough, light) and 0.60 already loses
    # remix and clough pairs: too thin a margin for texts we have not seen.
    tfidf_weight: float = 0.5
    min_cosine: float = 0.5
    all_pairs_below: int = 60  # corpora this small compare every pair (at most 1,770)
    # Long pages that reuse a paragraph of another are near neither in MinHash nor in meaning
    # (pan13-noobf: 213 of its 500 labelled pairs were no candidate). Documents that share
    # `passage_min_shared` sentences of `passage_min_words` words or more, word for word, are
    # paired. Two, not one: adding 1,000 to the 100k benchmark store, one shared sentence would
    # add 12,476 pairs to the 9,566 (wire copy repeats its formulas), two add 136. A sentence in
    # more than `passage_max_docs` documents is a formula, not a passage.
    passage_min_words: int = 10
    passage_min_shared: int = 2
    passage_max_docs: int = 50
    # Pages also paste from the middle of one sentence to the middle of another, or text with no
    # sentence ends (lists, menus): no whole sentence is shared. Documents that share
    # `words_min_shared` winnowed hashes of word `words_gram`-grams (`signatures.
    # word_fingerprints`, one kept per `words_window` grams) are paired too; 8 words, not 5, so
    # that stock phrases rarely pair two pages. Three are certain from a shared run of
    # 3 * 16 + 8 - 1 = 55 words, and the ~45 words of the 300 characters a kept run needs
    # (`classify.kept_passage_chars`) nearly always share three: pan13-noobf pair recall is the
    # same with two. Two would also pair about 12,000 more documents per 1,000 added to the 100k
    # benchmark store (wire formulas, the generated articles' borrowed sentences), 1% of them with
    # a kept run; three pair 36% of those and keep every one of that 1% in a sample of 1,500.
    # A hash in more than `passage_max_docs` documents is skipped. 0 turns this off.
    words_gram: int = 8
    words_window: int = 16
    words_min_shared: int = 3


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Stage two: sentence alignment."""

    model: str = "static"  # "static" (model2vec distilled from MiniLM) or "lexical" (no model)
    rescore: bool = True  # re-score uncertain sentence pairs with MiniLM
    # Static cosine at or above `accept` aligns two sentences outright; in [uncertain, accept)
    # anchors or MiniLM decide. Chosen on MRPC-train and the dev sets: static cosine of
    # paraphrases spreads 0.55-0.95.
    accept: float = 0.80
    uncertain: float = 0.60
    minilm_accept: float = 0.72  # MiniLM cosine that accepts a pair from the uncertain band
    # A pair in the uncertain band that is each sentence's best match by this margin over both
    # next best is a rewrite of one sentence (see `align._margins`). Clough's independent
    # answers sit at margin ~0.03, rewrites at 0.1-0.3.
    margin: float = 0.12
    extend_floor: float = 0.50  # static cosine below which a sentence never joins a link
    max_group: int = 4  # at most this many sentences stand for one sentence of the other text
    # An anchor in more than this share of a text's sentences is its topic ("Kursk", "Heinz"),
    # not a fact that ties two sentences together.
    rare_share: float = 0.25
    fuzzy: float = 0.80  # rapidfuzz token ratio (0-1) that aligns near-verbatim sentences outright
    # Sentences MiniLM embeds in one scan, at most (~100 sentences/s on 2 cores; 400 gives the
    # same dev figures as 800 in half the time). The pairs the
    # static pass leaves between kinds go first, most promising first.
    max_rescore: int = 400
    # ... unless the whole queue is small for the job: at most `rescore_whole_per_document`
    # sentences per document related (a scan's documents, or the new ones of a store batch), and
    # never more than `rescore_whole_below` (~15 s of MiniLM). Then every queued pair gets its
    # second look. The budget left 22 of rewrites-dev's 186 queued pairs out (461 sentences
    # wanted); with the first 100 or 300 Reuters articles scanned beside the set (636 and 1,256
    # wanted) it left out 100 of 274 and 320 of 521, among them a remix that only MiniLM finds
    # (remix recall 0.958 -> 0.917): 4 per document covers all three. Queues that are long for
    # their job keep `max_rescore`: clough's (973 for 95 documents), semeval's (1,162 for 208), a
    # 50-document add to the 100k benchmark store (13 s; 30 s with its queue embedded whole),
    # and large scans and batches (20,613 for `benchmarks/speed.py`'s 5,132 documents).
    rescore_whole_per_document: int = 4
    rescore_whole_below: int = 2000
    # A pair the static pass found unrelated still gets a second look when this share of a text
    # aligned: MiniLM may find the rest of a heavy rewrite.
    second_look_coverage: float = 0.15
    # Conflicts on a copy are also checked against a source sentence beside a link when the
    # linked sentence shares this much of its wording (rapidfuzz partial_ratio / 100): the
    # sentence may merge both (`align.fact_links`). In the copy relations of rewrites-dev and
    # clough, 77% and 96% of the one-to-one aligned sentence pairs reach 0.6, against 6.4% and
    # 6.6% of the unlinked sentences beside a link and 2.7% and 4.2% of random unlinked pairs
    # (`python benchmarks/sentence_overlap.py`). It found rewrites-dev's sixth changed fact and
    # changed the conflicts of 5 of the 930 copy relations in `benchmarks/speed.py`'s run.
    fact_neighbour_overlap: float = 0.60
    # On a copy, a name whose words either side align with the words either side of a name of the
    # other text fills its slot ("the Finance Ministry said" / "the Statistics Department said")
    # when the link's two sides share this much of their words (2 x aligned / both lengths, over
    # the words of `slots.Side`). Names swapped in copies of rewrites-dev that only this finds
    # sit at 0.38-0.67; the same test on the loose links of pan13-noobf and semeval-en-dev's
    # copies ("the Concord" / "the Donald Ross Course") at 0.12-0.37. With 0.40,
    # `benchmarks/changed_facts.py --kind name` finds 20 of 60 swapped names on seeds 1-3
    # instead of 17, and the speed scan gains one conflict, the true "Cargill" / "Continental
    # Grain". 0 turns it off.
    fact_frame_similarity: float = 0.40


@dataclass(frozen=True, slots=True)
class ClassifyConfig:
    """Relation kinds."""

    # Link wording similarity (rapidfuzz ratio) that counts as kept wording: light edits keep
    # >= 0.8 on dev, rewordings of one sentence sit at 0.4-0.65.
    verbatim: float = 0.70
    # Mean wording of aligned sentences from which two texts read as one template (dividend
    # notices, monthly figures): their changed figures then mean another report, not an edit.
    template: float = 0.55
    # Coverage difference that makes one text the container of the other: spins and near copies
    # differ by < 0.1 on dev, condensed copies by > 0.3; a condensed copy needs only 0.05.
    containment_gap: float = 0.15
    condensed_gap: float = 0.05
    # A partial reuse orients by containment only between texts of like length: the container's
    # coverage at least this share of the contained text's (the two shares of one passage stand
    # in the ratio of the lengths). Where one text is three or more times the other, the shorter
    # one's higher coverage says only that it is shorter: it may have quoted the longer, or been
    # pasted into it. pan13-noobf, where long suspicious documents paste from shorter sources,
    # had 295 partial reuses oriented by containment at 0.02-0.63, 270 of them from a source to a
    # suspicious document, the wrong way; 268 sit below 0.35 (258 of the wrong ones). The dev
    # sets' right ones sit at >= 0.44 (clough) and 0.71 (rewrites-dev); no dev figure moves.
    unlike_length_ratio: float = UNLIKE_LENGTH_RATIO
    # The same holds for a condensed copy that sits whole, as one block, in the middle of a text
    # several times longer (the ratio above): the block starts at the container's sentence
    # `pasted_block_start` or later (past a title and a lead) and its aligned sentences leave at
    # most `pasted_block_holes` of the container's sentences out. A brief cut from a long report
    # takes its lead or sentences throughout; a pasted text lands as one block anywhere. On
    # pan13-noobf 49 of its 145 `condensed` pairs oriented by containment are such blocks, every
    # one a source pasted into a suspicious document; none of the dev sets' condensed copies is.
    pasted_block_start: int = 2
    pasted_block_holes: int = 1
    min_substantial: int = 40  # characters: a shorter unaligned sentence is a dateline or caption
    near_duplicate_lexical: float = 0.85  # mean surface similarity of aligned sentences
    near_duplicate_coverage: float = 0.85  # share of the shorter text aligned
    # ... and of the longer: near copies on dev drop up to a paragraph (coverage 0.77-0.8)
    near_duplicate_other: float = 0.70
    spin_coverage: float = 0.65  # both ways: most sentences on both sides align
    condensed_coverage: float = 0.60  # share of the derived text inside the source
    condensed_max_source: float = 0.75  # ... while at most this much of the source is used
    partial_min_sentences: int = 3  # "several sentences" (Reuters updates share two by habit)
    partial_min_coverage: float = 0.20  # share of the smaller text reused
    # Reworded sentences that share only names are what independent reports of one event look
    # like (the seeds' 002/004 align 0.28-0.47 of their text with the others that way). Partial
    # reuse needs two links that keep wording or specific figures, or one and half the text
    # aligned, or this much aligned without (remixes on dev: >= 0.48 / >= 0.62 respectively).
    partial_coverage_one: float = 0.5
    # Condensed or partial copies with no kept wording or figure need this mean wording similarity
    # (rapidfuzz ratio of aligned sentences). Independent answers to one question (clough "non")
    # sit at 0.39-0.49; rewrites on dev at >= 0.5.
    min_reworded_lexical: float = 0.5
    # ... unless linked sentences prefer each other clearly (`classify.distinctness`): clough's
    # independent answers have a mean margin of ~0.03 (90% below 0.09), rewrites 0.1-0.3.
    min_distinctness: float = 0.09
    # Independent reports of one event (two Fed market reports, two banks' base-rate cuts, a
    # union's dispute on two days) align a few sentences loosely, through the names and figures
    # the event gives them, each about as close to other sentences of the other text. So one link
    # that keeps wording or a specific figure is not reuse when the linked sentences do not prefer
    # each other (`min_distinctness`) and their mean similarity is below this, the level at which
    # alignment accepts a pair on its similarity alone (`AlignConfig.accept`). In
    # `benchmarks/speed.py`'s scan this took 45 copies between Reuters articles (all reports of
    # their own: Fed market reports of other days, two banks' rate cuts, Iran's and Iraq's claims)
    # and one of a rewrites-dev distractor. No true pair of the dev sets is loose this way: the one
    # at distinctness < 0.09 with one piece of evidence (a clough light answer) aligns at 0.85.
    loose_similarity: float = 0.80
    partial_coverage_alone: float = 0.55
    # A passage kept word for word is reuse however small a share of either text it is, and
    # whatever the other aligned sentences say: consecutive aligned sentences that keep their
    # wording (`verbatim`), names and figures (`evidence.kept_passages`), two of them with
    # `kept_passage_chars` or more characters on each side, or three or more with
    # `kept_passage_chars_three`. Long web pages that reuse one paragraph align too little of
    # themselves for the coverage rules (pan13-noobf: a ~500-char passage in pages of 10,000+).
    # On the dev sets no two texts that are not copies keep such a run: the longest two-sentence
    # run is 263 characters (two clough answers quoting one textbook), and none keeps three.
    kept_passage_chars: int = 300
    kept_passage_chars_three: int = 150
    # The same for a run of words found without sentences (`verbatim.verbatim_runs`): pages paste
    # from mid-sentence to mid-sentence, and menus and recipes have no sentence ends. A run of
    # `kept_passage_chars` on its shorter side is reuse. Seeds are word `run_ngram`-grams; a run
    # bridges up to `run_max_gap` misspelt words. On the dev sets the longest run between texts
    # that are not copies is 49 words, 263 characters (the same two clough answers); rewrites-dev's
    # is 17 words. pan13-noobf: 134 of the 162 pairs the sentence rules missed have one.
    # The search costs ~20-50% more CPU per pair on the 100k benchmark's pairs; 0 turns it off.
    run_ngram: int = 5
    run_max_gap: int = 3
    # Aligned sentences of a copy agree on their figures and names (the share of the shorter side's
    # found on the other). On dev, copies sit at >= 0.75 for numbers (one remix at 0.4) and >= 0.5
    # for all anchors; reports of another month's figures from the same template sit below 0.4.
    min_numbers: int = 3  # only judge number agreement when at least this many numbers are compared
    min_number_agreement: float = 0.5
    min_fact_agreement: float = 0.35
    # Both sides carrying figures the other text lacks, in the sentences that align, is a report
    # of other data (next month's figures). Copies on dev stay under 0.15 (one changed fact).
    max_number_novelty: float = 0.3
    # Novelty that means another report whatever the wording and however few figures: no figure
    # of either side's aligned sentences is anywhere in the other text (two or more a side).
    # Short template notices (two companies' share offerings, two rating actions) escaped the
    # rule above, which needs many figures or template wording: in the 5,000-article speed scan,
    # 13 such pairs were `condensed` or `spin`, every one of a sample of 8 two different events.
    # No dev-set figure changes.
    alone_number_novelty: float = 1.0
    # The same over names and figures together: copies on dev stay <= 0.25 (one condensed copy at
    # 0.38); template reports of other companies' dividends sit at 0.5-0.7.
    max_anchor_novelty: float = 0.4
    # Same story: independent reports share names and numbers and read alike. Chosen on
    # semeval-en-dev (pairs rated "same story" vs "unrelated"): 14 of 17 same-story pairs and 0 of
    # 49 unrelated ones pass; the seeds' independent reports sit far above (overlap >= 0.5).
    same_story_min_names: int = 3  # shared capitalised names
    same_story_min_overlap: float = 0.3  # shared anchors / geometric mean of both texts' anchors
    same_story_min_cosine: float = 0.8  # cosine of the document vectors
    # Reports of one event that moves on update a figure or two (a toll, a price); a series'
    # report of another period (next month's FHLBB rates) changes most. With at least
    # `same_story_min_numbers` figures compared in aligned sentences and under this share alike,
    # the pair is not one story. rewrites-dev's same-story pairs with its distractors sit at
    # 0-0.2 with 5-10 figures (one at 0.44 with 9, kept); its true ones at >= 0.5. In
    # semeval-en-dev, same-story relations under a quarter compare at most 3 figures (protests
    # whose tolls moved on, rated nearly one story by its annotators, at 0 with 3).
    same_story_min_numbers: int = 5
    same_story_min_number_agreement: float = 0.25


@dataclass(frozen=True, slots=True)
class StoryConfig:
    """Story grouping and originals."""

    use_same_story: bool = True  # same_story relations join stories (not only copies)
    # Two groups joined only by same-story relations merge when this share of the pairs across
    # them relate (average linkage): no chaining of resemblances across a newswire.
    linkage: float = 0.5
    # Quote fidelity: a witness sentence must keep one wording nearly intact (rapidfuzz ratio) to
    # vote, by a clear gap; the winner needs this much more weight and twice the loser's.
    witness_min: float = 0.7
    witness_gap: float = 0.1
    # Variant readings (`stories.readings`): where the two texts of a copy read other words at one
    # place ("is often used to" / "is usually be used to"), each witness that has one reading and
    # not the other votes this much for that side; 0 turns it off. Light edits leave sentences
    # too alike for the sentence votes above. With 0.3, two agreeing witnesses pass
    # `fidelity_margin`. Only links worded at least `reading_lexical` alike have readings: in a
    # reworded sentence every phrase differs, and a witness that shares one phrase with a side may
    # have it from another copy (the seeds' 003 has the spin's "Russia has announced that its
    # forces" though it condenses the original).
    reading_weight: float = 0.3
    reading_lexical: float = 0.8
    # A link whose sentences on one side skip more than this many sentences between them ("3, 26
    # and 61" of a web page joined to one sentence) is no one statement rewritten, so witnesses do
    # not vote on it. On pan13-noobf such groups joined a page's pasted passages to another
    # source's sentences, and the witnesses (the other sources pasted into the page) then called
    # the page the original: 22 of its 52 labelled pairs directed the wrong way by fidelity. No
    # direction on the dev sets rests on one. `align.passages` splits such links by place.
    vote_max_skip: int = 2
    # Nor do witnesses orient a copy between texts of unlike length (the shorter one's coverage
    # under this share of the longer one's, as `ClassifyConfig.unlike_length_ratio`, which leaves
    # such copies without a direction: the shorter text may have been pasted into the longer). A
    # text that pastes from several others holds each one's sentences word for word, so its other
    # sources, as witnesses, keep its wording wherever a loose link joins one of its sentences to
    # a sentence of the text in question. On pan13-noobf 23 of the 31 labelled pairs that
    # fidelity directed the wrong way are such copies, and 1 of the 4 it directed right. No copy
    # that fidelity directs on the dev sets or in `benchmarks/speed.py`'s scan is one (on the dev
    # sets the shorter side's coverage is at least 0.64 of the longer's). 0 lets witnesses vote
    # on every copy.
    fidelity_length_ratio: float = UNLIKE_LENGTH_RATIO
    fidelity_margin: float = 0.5
    max_witnesses: int = 12  # the closest other members witness; enough for a big story
    # A same-story pair (X, Y) is a copy of Y by X when X is mostly (`through_min_share` of its
    # text) a copy of a document that rewrites all of Y, both copies keep some wording or figure,
    # and X and Y's own alignment covers less than `through_max_coverage` of either text
    # (`stories.through_rewrites`). On the dev sets this fires once: a rewrites-dev remix whose
    # wording follows the spin of its source (its one missed remix: 0.75 of it from the spin,
    # direct coverage 0.24-0.34). clough, pan13 and semeval have no such chain. Where it would
    # overrule a wider direct alignment (0.51-1.00 among the first 5,000 Reuters articles) or
    # follow copies that keep nothing or hold under a third of X (8 pairs in an add of 1,000 to
    # the 100k benchmark store), the chains join template reports of different events (two
    # central banks' interventions, two companies' financings) through an earlier false copy.
    through_rewrites: bool = True
    through_max_coverage: float = 0.4
    through_min_share: float = 0.5


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """How a scan holds its documents (`store_scan`)."""

    # A scan of more documents than this goes through a store, in batches, instead of holding
    # every document's sentences, vectors and fingerprints at once. In memory, the 100k benchmark
    # corpus took 10.4 GB (the scan and its two workers; 2.6 GB for its first 20,000); added in
    # batches of 5,000, 3.3 GB. 20,000 is where the in-memory scan's document index turns
    # approximate (`index.VectorIndex.exact_below`), and it keeps a scan under 4 GB.
    in_memory_max: int = 20_000
    # Documents per batch above `in_memory_max`: the benchmark add's batch (`benchmarks/scale.py`);
    # batches of 10,000 took 3.8 GB at 100k for 2% less time.
    batch_size: int = 5_000


@dataclass(frozen=True, slots=True)
class Config:
    """All settings; `Config()` gives the defaults."""

    read: ReadConfig = field(default_factory=ReadConfig)
    clean: CleanConfig = field(default_factory=CleanConfig)
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    align: AlignConfig = field(default_factory=AlignConfig)
    classify: ClassifyConfig = field(default_factory=ClassifyConfig)
    stories: StoryConfig = field(default_factory=StoryConfig)
    scan: ScanConfig = field(default_factory=ScanConfig)

    def wording_only(self) -> Config:
        """Return a copy that compares wording only, without the sentence models (the CLI's
        `--no-semantic`)."""
        return self.with_values({"align": {"model": "lexical"}})

    def with_values(self, values: dict[str, dict[str, Any]]) -> Config:
        """Return a copy with `{section: {field: value}}` applied, checking names and types."""
        sections = {}
        for name, given in values.items():
            current = getattr(self, name, None)
            if current is None or not dataclasses.is_dataclass(current):
                known = ", ".join(f.name for f in dataclasses.fields(self))
                raise ConfigError(f"unknown config section [{name}]; known sections: {known}")
            if not isinstance(given, dict):
                raise ConfigError(f"config section [{name}] must be a table of settings")
            sections[name] = _replace_checked(name, current, given)
        return dataclasses.replace(self, **sections)


def _replace_checked(section: str, current: Any, given: dict[str, Any]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(current)}
    changes = {}
    for key, value in given.items():
        if key not in fields:
            raise ConfigError(
                f"unknown setting {section}.{key}; known: {', '.join(sorted(fields))}"
            )
        default = getattr(current, key)
        if isinstance(default, bool) and not isinstance(value, bool):
            raise ConfigError(f"{section}.{key} must be true or false, not {value!r}")
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{section}.{key} must be a number, not {value!r}")
            if isinstance(default, int) and not float(value).is_integer():
                raise ConfigError(f"{section}.{key} must be a whole number, not {value!r}")
            value = type(default)(value)
        if isinstance(default, str) and not isinstance(value, str):
            raise ConfigError(f"{section}.{key} must be a string, not {value!r}")
        changes[key] = value
    return dataclasses.replace(current, **changes)


def load_config(path: str | Path | None = None) -> Config:
    """Read a TOML file over the defaults; `None` gives the defaults."""
    config = Config()
    if path is None:
        return config
    try:
        with open(path, "rb") as fh:
            values = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return config.with_values(values)
