"""Relation kinds, the evidence against a copy, and the pairwise direction."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from copytrace.align import align_encoded
from copytrace.classify import classify, published_order
from copytrace.config import AlignConfig, ClassifyConfig
from copytrace.embeddings import HashEmbedder
from copytrace.evidence import (
    contradiction,
    kept_passages,
    subjects,
    title_names,
    title_subjects,
)
from copytrace.records import Alignment, Document, Encoded, Link, Relation
from copytrace.sentences import prepare
from copytrace.signatures import encode_document

EMBEDDER = HashEmbedder()
ALIGN = AlignConfig(model="lexical", rescore=False)
CLASSIFY = ClassifyConfig()

SOURCE = (
    "The city council approved a budget of 4.2 million euros on Tuesday. "
    "Mayor Anna Berg said the money will repair the old river bridge at Lindholm. "
    "Engineers found cracks in two pillars of the bridge last spring. "
    "Work is expected to start in May and last eight months. "
    "The bridge carries 12,000 cars a day, according to the transport office. "
    "A ferry will run between the two banks while the bridge is closed."
)


def encode(doc_id: str, text: str, **meta: str) -> Encoded:
    doc = prepare(Document(doc_id, text, **meta))
    return encode_document(doc, EMBEDDER.encode([s.text for s in doc.sentences]))


def relate(a: Encoded, b: Encoded):
    return classify(align_encoded(a, b, ALIGN), a, b, CLASSIFY)


def template_verdict(
    first: Encoded, other: Encoded, rewrite: Encoded, links: list[Link], lexical: float
) -> str:
    """Return why `first` and `other` (one template, other facts) cannot be copies, after checking
    that nothing says so of `rewrite`, a rewrite of `first` aligned by the same links."""
    assert not contradiction(links, rewrite, first, lexical, CLASSIFY)
    return contradiction(links, first, other, lexical, CLASSIFY)


def test_same_text_is_a_duplicate() -> None:
    rel = relate(encode("a", SOURCE), encode("b", SOURCE.replace("  ", " ").upper().lower()))
    assert rel is not None and rel.kind == "duplicate" and rel.score == 1.0


def test_light_edits_are_a_near_duplicate() -> None:
    edited = SOURCE.replace("approved", "passed").replace("last spring", "in the spring")
    rel = relate(encode("a", edited), encode("b", SOURCE))
    assert rel is not None and rel.kind == "near_duplicate"
    assert rel.evidence.lexical >= CLASSIFY.near_duplicate_lexical


def test_a_cut_down_copy_is_contained_in_its_source() -> None:
    cut = " ".join(SOURCE.split(". ")[:3]) + "."
    rel = relate(encode("a", cut), encode("b", SOURCE))
    assert rel is not None and rel.kind in ("condensed", "near_duplicate")
    assert (rel.derived, rel.source) == ("a", "b")
    assert rel.direction == "containment"


def test_earlier_publication_decides_direction() -> None:
    edited = SOURCE.replace("approved", "passed")
    rel = relate(
        encode("early", edited, published="2024-01-02"),
        encode("late", SOURCE, published="2024-03-04"),
    )
    assert rel is not None
    assert (rel.derived, rel.source, rel.direction) == ("late", "early", "published")


def test_published_order() -> None:
    a = Document("a", "x", published="2024-01-02")
    b = Document("b", "x", published="2024-01-02T10:00:00")
    c = Document("c", "x")
    assert published_order(a, b) == -1
    assert published_order(b, a) == 1
    assert published_order(a, c) == 0


def test_template_with_other_figures_is_not_a_copy() -> None:
    first = encode("a", "Qtly div three cts vs three cts prior.\nPay March 27.\nRecord March 16.")
    second = encode("b", "Qtly div four cts vs four cts prior.\nPay April 20.\nRecord April 6.")
    alignment = align_encoded(first, second, ALIGN)
    assert contradiction(alignment.links, first, second, 0.8, CLASSIFY)
    rel = classify(alignment, first, second, CLASSIFY)
    assert rel is None or not rel.is_copy


def test_short_notices_sharing_no_figure_are_not_a_copy() -> None:
    """Two reworded notices of one kind (lexical 0.3, few figures) report other events when no
    figure of either side's aligned sentences is anywhere in the other text."""
    first = encode(
        "a",
        "Acme Corp said it filed for an offering of 2.5 mln shares through Drexel. "
        "It will use 400,000 dlrs of the proceeds to repay debt to Chase.",
    )
    second = encode(
        "b",
        "Borg Inc said it negotiated a 160 mln dlr private financing with Drexel. "
        "Proceeds of 133 mln dlrs will pay for a power plant, Chase said.",
    )
    links = [Link((0,), (0,), 0.8, 0.3, "static"), Link((1,), (1,), 0.8, 0.3, "static")]
    assert contradiction(links, first, second, 0.3, CLASSIFY).startswith("none of the figures")
    kept = encode("c", second.doc.text.replace("Borg Inc", "Borg"))  # a copy keeps its figures
    assert not contradiction(links, kept, second, 0.3, CLASSIFY)


def test_a_rewrite_that_writes_out_every_figure_keeps_them() -> None:
    """A figure written with a scale word ("2.5 mln") and in digits ("2,500,000") is one figure:
    writing every figure the other way is not another event."""
    source = encode(
        "a",
        "Acme Corp said it filed for an offering of 2.5 mln shares through Drexel. "
        "It will use 400,000 dlrs of the proceeds to repay 1.2 billion dlrs of debt to Chase.",
    )
    rewrite = encode(
        "b",
        "Through Drexel, Acme is offering 2,500,000 shares, the company said. "
        "Some 0.4 million dollars raised will go to Chase against a 1,200 mln dollar debt.",
    )
    links = [Link((0,), (0,), 0.8, 0.3, "static"), Link((1,), (1,), 0.8, 0.3, "static")]
    assert not contradiction(links, rewrite, source, 0.3, CLASSIFY)


def test_notices_without_names_are_about_what_their_titles_name() -> None:
    """Two dividend notices whose bodies name nobody are two companies' when their titles share
    no name; the same notice under a reworded title of the same company is still a copy."""
    body = "Qtly div eight cts vs eight cts prior.\nPay April one.\nRecord March 13."
    first = encode("a", body, title="TULLOCH MILLS <TLM> SETS QUARTERLY DIVIDEND")
    # its figures are all in the first: only the titles tell them apart
    raised = body.replace("eight cts vs", "nine cts vs").replace("one", "31")
    other = encode("b", raised, title="WARBECK FOODS <WBF> RAISES PAYOUT")
    links = [Link((i,), (i,), 0.9, 0.8, "static") for i in range(3)]
    assert contradiction(links, first, other, 0.8, CLASSIFY).startswith("different subjects")
    # a title in the template's words ("QTLY DIV", as the body has them) still names its company
    worded = encode("e", raised, title="WARBECK FOODS <WBF> QTLY DIV")
    assert contradiction(links, first, worded, 0.8, CLASSIFY).startswith("different subjects")
    # nor do the words of what a notice's title says happened ("SETS QUARTERLY")
    titled = encode("f", raised, title="WARBECK FOODS <WBF> SETS QUARTERLY")
    assert contradiction(links, first, titled, 0.8, CLASSIFY).startswith("different subjects")
    same = encode("c", body, title="Tulloch Mills keeps its quarterly payout")
    assert not contradiction(links, same, first, 0.8, CLASSIFY)
    untitled = encode("d", raised)  # no title: nothing tells them apart
    assert not contradiction(links, untitled, first, 0.8, CLASSIFY)


def test_statistics_of_two_countries_from_one_template_are_not_copies() -> None:
    """A monthly figure of one country written the way another country's is: the first names
    its statistics office in several sentences, the second names its country only once (and
    in its title, beside words such as "UP" and "PCT" that the first uses too), and the first
    writes "manufacturing" where the second's sentence opens with "Manufacturing"."""
    ours = encode(
        "a",
        "Norland's leading composite indicator rose 0.4 pct in December, Statistics Norland "
        "said.\nThe unfiltered index rose 0.8 pct in the month, the agency said.\n"
        "The manufacturing groups continued to post gains of 1.6 pct.",
        title="NORLAND DECEMBER LEADING INDICATOR UP 0.4 PCT",
    )
    theirs = encode(
        "b",
        "Industrial production in Vestria rose 0.4 pct in February, the Vestrian Reserve Board "
        "said.\nThe Board said the index rose 0.8 pct in the month.\n"
        "Manufacturing output rose 1.6 pct, the Reserve Board said.",
        title="VESTRIA FEB INDUSTRIAL PRODUCTION UP 0.4 PCT",
    )
    assert title_subjects(ours) == {"norland"}  # the title word its body names too
    links = [Link((i,), (i,), 0.85, 0.5, "static") for i in range(3)]
    assert contradiction(links, ours, theirs, 0.5, CLASSIFY).startswith("different subjects")


def test_postings_of_two_companies_that_share_their_other_names_are_not_copies() -> None:
    """Two companies' price changes written alike share the names their bodies repeat (the
    grade of crude), so only their titles, each naming its company, tell them apart; a rewrite
    under a title naming the same company is still a copy."""
    first = encode(
        "a",
        "Halvard Oil Corp said it cut its contract prices for crude oil by 1.50 dlrs a barrel.\n"
        "The cut brings its posted price for West Texas Intermediate to 16.00 dlrs a barrel.\n"
        "Halvard is the latest of several oil companies to cut West Texas Intermediate prices.",
        title="HALVARD OIL CUTS CRUDE PRICES",
    )
    other = encode(
        "b",
        "Brannock Petroleum Co said it reduced the price it pays for crude by 1.50 dlrs a barrel.\n"
        "The cut brings its posted price for West Texas Intermediate to 16.50 dlrs a barrel.\n"
        "The West Texas Intermediate posting was last changed on Jan 12.",
        title="BRANNOCK PETROLEUM REDUCES CRUDE POSTINGS",
    )
    links = [Link((i,), (i,), 0.85, 0.5, "static") for i in range(3)]
    rewrite = encode(
        "c",
        "Halvard Oil said it lowered the price it pays for crude by 1.50 dlrs a barrel.\n"
        "Its West Texas Intermediate posting is now 16.00 dlrs a barrel.\n"
        "Several oil companies have cut West Texas Intermediate prices, Halvard said.",
        title="Halvard lowers what it pays for crude",
    )
    found = template_verdict(first, other, rewrite, links, 0.5)
    assert found.startswith("titles of different subjects"), found


def test_notices_of_two_companies_sharing_a_word_of_their_names_are_not_copies() -> None:
    """ "Public" in "Calder Public Service Corp" is not the "Public" of "Norland Public Service
    Co": a subject word counts as named by the other text only inside a name that may be the
    same one; a rewrite naming the company shortly still names it."""
    first = encode(
        "a",
        "Calder Public Service Corp said its board declared a dividend of 12 cts a share, its "
        "first since 1981.\n"
        "The company said Calder expects to pay dividends every quarter.\n"
        "The dividend is payable June 2 to holders of record May 9.",
        title="CALDER DECLARES FIRST DIVIDEND SINCE 1981",
    )
    other = encode(
        "b",
        "Norland Public Service Co said its board declared a stock split.\n"
        "Norland also raised its quarterly dividend to 30 cts from 28 cts.\n"
        "The dividend is payable June 2 to holders of record May 9.",
        title="NORLAND PUBLIC SPLITS STOCK, UPS DIVIDEND",
    )
    links = [Link((0,), (0,), 0.75, 0.6, "static"), Link((2,), (2,), 0.95, 0.8, "static")]
    rewrite = encode(
        "c",
        "Calder Public Service has declared a 12 ct dividend, the first since 1981.\n"
        "Calder hopes to pay one every quarter, the company said.\n"
        "Holders of record May 9 will be paid on June 2.",
        title="Calder pays again",
    )
    found = template_verdict(first, other, rewrite, links, 0.7)
    assert "different subjects" in found, found


def test_notices_whose_titles_share_a_word_of_two_company_names_are_not_copies() -> None:
    """Bodies that name nobody leave the titles to name the company: "POWER" in "HARTWELL VALLEY
    POWER CORP" is not the "POWER" of "NORLAND POWER CO", while a title that misspells the
    company's name still names it."""
    body = "Qtly div 45 cts vs 45 cts prior.\nPay March 31.\nRecord March 20."
    first = encode("a", body, title="HARTWELL VALLEY POWER CORP <HVP> SETS QUARTERLY")
    other = encode("b", body, title="NORLAND POWER CO <NPW> SETS QUARTERLY")
    links = [Link((i,), (i,), 1.0, 1.0, "exact") for i in range(3)]
    assert contradiction(links, first, other, 1.0, CLASSIFY).startswith("different subjects")
    misspelt = encode("c", body, title="HATWELL VALLEY POWER INDUSTRIES QTLY DIV")
    assert not contradiction(links, first, misspelt, 1.0, CLASSIFY)


def test_reports_whose_titles_name_one_subject_are_not_told_apart_by_a_misspelt_name() -> None:
    """Two titles naming one subject ("TIN") name the same thing, even where the names around it
    differ by a typing error ("Agreeement")."""
    first = encode(
        "a",
        "Delegates at talks on a new International Tin Agreement said progress was slow.\n"
        "Some 30 producing and consuming countries take part in the two-week meeting.\n"
        "The chairman said the key issues had to be settled this week.",
        title="TIN TALKS MAKE SLOW PROGRESS",
    )
    other = encode(
        "b",
        "The chairman of the talks on a new International Tin Agreeement said there was progress.\n"
        "Some 30 producing and consuming countries take part in the two-week meeting.\n"
        "He said it was vital to settle the key issues this week.",
        title="TIN TALKS CHAIRMAN SEES PROGRESS",
    )
    links = [Link((i,), (i,), 0.85, 0.7, "static") for i in range(3)]
    assert not contradiction(links, first, other, 0.7, CLASSIFY)


def test_a_title_naming_its_issuer_in_short_is_about_the_issuer() -> None:
    """A body that names nothing of its title but the issue's currency ("GECC" over "General
    Electric Credit Corp") leaves the title's other words as its subject; a number written out
    ("Pay April Three") is no subject."""
    first = encode(
        "a",
        "Halvard Electric Credit Corp is issuing a 75 mln Australian dlr eurobond due April 16, "
        "1990 paying 15 pct, lead manager Orwell Royal Bank said.\n"
        "The bond is available in denominations of 1,000 Australian dlrs.\n"
        "The selling concession is one pct.",
        title="HECC ISSUES 75 MLN AUSTRALIAN DLR EUROBOND",
    )
    assert title_subjects(first) == {"hecc"}
    other = encode(
        "b",
        "Brannock Landesbank is issuing a 75 mln Australian dlr eurobond due April 16, 1990 "
        "paying 15 pct, lead manager Tamar Merchant Bank said.\n"
        "The issue, guaranteed by Brannock Landesbank, is available in denominations of 1,000 "
        "Australian dlrs.\n"
        "The selling concession is one pct.",
        title="BRANNOCK LANDESBANK ISSUES AUSTRALIAN DOLLAR BOND",
    )
    links = [Link((i,), (i,), 0.9, 0.75, "static") for i in range(3)]
    rewrite = encode(
        "c",
        "Halvard Electric Credit is selling a 75 mln Australian dlr eurobond due April 16, 1990 "
        "that pays 15 pct, Orwell Royal Bank said as lead manager.\n"
        "Denominations are 1,000 Australian dlrs.\n"
        "The selling concession is one pct.",
        title="Halvard Electric Credit sells Australian dollar bond",
    )
    found = template_verdict(first, other, rewrite, links, 0.75)
    assert "different subjects" in found, found
    notice = encode("d", "Qtly div six cts vs six cts prior.\nPay April Three.", title="X")
    assert "three" not in subjects(notice)


def test_bond_issues_of_two_issuers_with_one_lead_manager_are_not_copies() -> None:
    """Issues written from one lead manager's template name the manager in every sentence; the
    issuer is named once, opening the first sentence, and in the title beside the issue's
    currency, which both share."""
    first = encode(
        "a",
        "Halvard Landesbank Girozentrale is issuing a 50 mln Australian dlr eurobond due April 2, "
        "1991 paying 15 pct and priced at 101-1/2, lead manager Orwell Royal Bank said.\n"
        "The bond is available in denominations of 1,000 Australian dlrs, Orwell Royal Bank "
        "said.\n"
        "The selling concession is one pct, Orwell Royal Bank said.",
        title="HALVARD L/B ISSUES AUSTRALIAN DLR EUROBOND",
    )
    other = encode(
        "b",
        "Brannock Finance Overseas Ltd is issuing a 50 mln Australian dlr eurobond due April 3, "
        "1990 paying 15 pct and priced at 101-1/2, lead manager Orwell Royal Bank said.\n"
        "The bond is available in denominations of 1,000 Australian dlrs, Orwell Royal Bank "
        "said.\n"
        "The selling concession is one pct, Orwell Royal Bank said.",
        title="BRANNOCK UNIT ISSUES 50 MLN AUSTRALIAN DLR BOND",
    )
    links = [Link((i,), (i,), 0.9, 0.9, "static") for i in range(3)]
    rewrite = encode(
        "c",
        "Halvard Landesbank Girozentrale is selling a 50 mln Australian dlr eurobond due April 2, "
        "1991, with a 15 pct coupon, priced at 101-1/2, said lead manager Orwell Royal Bank.\n"
        "Orwell Royal Bank said the bond comes in 1,000 Australian dlr denominations.\n"
        "There is a one pct selling concession, Orwell Royal Bank said.",
        title="Halvard sells Australian dollar bonds",
    )
    found = template_verdict(first, other, rewrite, links, 0.9)
    assert found == "titles of different subjects (halvard / brannock)", found
    # nor are two issues one story, however much of the manager's template they share
    assert relate(first, other) is None
    kept = relate(rewrite, first)
    assert kept is not None and kept.kind != "same_story"


def test_a_series_report_of_another_period_is_not_the_same_story() -> None:
    """Next month's rates in last month's words share every name; most figures differ."""
    february = encode(
        "feb",
        "The Federal Home Loan Bank Board said mortgage rates fell in early February. "
        "The Bank Board said the average commitment rate for fixed-rate loans was 9.54 pct, "
        "down 30 basis points. Rates on adjustable loans fell 16 basis points to 8.50 pct, the "
        "Bank Board said. The average rate on all loans closed by major lenders fell 27 basis "
        "points to 9.26 pct, the lowest since March 1978.",
    )
    march = encode(
        "mar",
        "The Federal Home Loan Bank Board said mortgage rates fell in early March. "
        "The Bank Board said the average commitment rate for fixed-rate loans was 9.48 pct, "
        "down four basis points. Rates on adjustable loans fell eight basis points to 8.43 pct, "
        "the Bank Board said. The average rate on all loans closed by major lenders fell nine "
        "basis points to 9.14 pct, the lowest since December 1977.",
    )
    alignment = align_encoded(february, march, ALIGN)
    assert classify(alignment, february, march, CLASSIFY) is None
    # without the figure test, names and wording alone would make them one story
    ignoring = replace(CLASSIFY, same_story_min_numbers=1000)
    rel = classify(alignment, february, march, ignoring)
    assert rel is not None and rel.kind == "same_story"


def test_a_title_names_the_company_opening_its_body() -> None:
    """A name opening the body's first sentence is a name when it has several words or is in
    capitals; one capitalised word there may be a common noun."""
    body = "{} said it will raise its contract prices for crude oil by 50 cts a barrel.\nReuter"
    parent = encode(
        "a", body.format("ZORN's unit, Halvard Oil Co,"), title="ZORN UNIT RAISES CRUDE"
    )
    assert title_names(parent) == {"zorn"}
    owner = encode("b", body.format("Calder Corp's Brannock Oil Corp"), title="CALDER UNIT RAISES")
    assert title_names(owner) == {"calder"}
    word = encode("c", body.format("Refiners"), title="REFINERS RAISE CRUDE PRICES")
    assert title_names(word) == frozenset()


def test_a_notice_left_with_its_template_line_is_about_its_title() -> None:
    """Where a corpus's repeated lines ("Pay April one") were left out of a notice, its one line
    left, "Qtly div ...", opens with a headline word, which is no name: the notice is about what
    its title names, and two companies' notices are not copies."""
    short = encode(
        "a", "Qtly div six cts vs six cts prior\nReuter", title="<CALDER HEALTH LTD> IN QTLY PAYOUT"
    )
    other = encode(
        "b",
        "Qtly div six cts vs six cts prior\nPay April Two\nRecord March 18\nReuter",
        title="NORLAND ENERGY CORP <NRL> PAYOUT",
    )
    assert subjects(short) == frozenset()
    links = [Link((0,), (0,), 1.0, 1.0, "static")]
    found = contradiction(links, short, other, 1.0, CLASSIFY)
    assert found.startswith("different subjects"), found
    # nor are the labels of an earnings table: two tables of one company's quarter are about it
    table = "{} 42 cts vs 76 cts\n{} 2.3 mln vs 3.3 mln\nRevs 72.3 mln vs 59.8 mln\nReuter"
    first = encode("c", table.format("Shr", "Net"), title="CALDER INC <CLD> 4TH QTR NET")
    second = encode("d", table.format("Oper shr", "Oper net"), title="CALDER INC <CLD> 4TH QTR NET")
    assert not subjects(first) and not subjects(second)
    assert not contradiction([Link((2,), (2,), 1.0, 1.0, "static")], first, second, 1.0, CLASSIFY)


def test_statistics_of_two_months_from_one_template_are_not_copies() -> None:
    """Next month's statistics are written from last month's report: the month each title names
    and its body names most tells them apart. A rewrite of one month's report is still a copy,
    though it names the month before."""
    january = encode(
        "a",
        "Freedonia's consumer price index fell 0.3 pct to 101.2 in January from December, the "
        "statistics office said.\n"
        "The January index was 1.2 pct lower than a year earlier, the largest fall since 1971.\n"
        "Food prices rose in January while fuel prices fell.",
        title="FREEDONIA CONSUMER PRICES FALL 0.3 PCT IN JANUARY",
    )
    february = encode(
        "b",
        "Freedonia's consumer price index was unchanged at 101.2 in February after a 0.3 pct "
        "fall in January, the statistics office said.\n"
        "The February index was 0.9 pct lower than a year earlier; in January it was 1.2 pct "
        "lower, the largest fall since 1971.\n"
        "In February fuel prices rose while food prices fell.",
        title="FREEDONIA CONSUMER PRICES UNCHANGED IN FEBRUARY",
    )
    links = [Link((i,), (i,), 0.85, 0.6, "static") for i in range(3)]
    rewrite = encode(
        "c",
        "Consumer prices in Freedonia fell 0.3 pct in January from December to 101.2, according "
        "to the statistics office.\n"
        "The index was 1.2 pct below its January level of a year before, its largest fall "
        "since 1971.\n"
        "Fuel got cheaper in January and food dearer.",
        title="Freedonia's prices fall in January after a quiet December",
    )
    found = template_verdict(january, february, rewrite, links, 0.6)
    assert found == "reports of different months (january / february)", found


def test_a_long_report_naming_nothing_is_about_its_title() -> None:
    """A report whose body names nobody but has more than a notice's few sentences keeps every
    word of its title as its subject: the words its body shares with the title are not a
    template's, so a report of the same strike under another title is not another subject."""
    body = (
        "Marines were unloading ships at the port as the strike by 40,000 seamen went on.\n"
        "The halt started on February 27, and union leaders said they would not return to work "
        "without a 275 pct pay rise.\n"
        "Shipowners have offered a 100 pct rise, which the seamen rejected.\n"
        "Port officials said the halt had cost 1.5 mln dlrs.\n"
        "There were no reports of incidents."
    )
    report = encode("a", body, title="SEAMEN'S STRIKE CONTINUES, MARINES UNLOAD SHIPS")
    assert {"strike", "marines"} <= title_subjects(report)
    other = encode(
        "b",
        "Hundreds of marines were on alert at the ports after 40,000 seamen stayed on strike, "
        "even after the Labour Court ruled it illegal.\n"
        "The halt started on February 27, and union leaders said they would not return to work "
        "unless they got a 275 pct pay rise.\n"
        "Shipowners have offered a 100 per cent rise, which the seamen rejected.\n"
        "The Court had ordered the seamen back to work.",
        title="SEAMEN CONTINUE STRIKE AFTER COURT RULING",
    )
    links = [Link((i,), (i,), 0.9, 0.8, "static") for i in range(3)]
    assert not contradiction(links, report, other, 0.8, CLASSIFY)


def test_other_subject_is_not_a_copy() -> None:
    a = encode(
        "a",
        "Hovnanian Enterprises said its board declared a two-for-one stock split. "
        "Hovnanian shareholders will receive one more share for each share held.",
    )
    b = encode(
        "b",
        "Pansophic Systems said its board declared a two-for-one stock split. "
        "Pansophic shareholders will receive one more share for each share held.",
    )
    assert "hovnanian" in subjects(a)
    rel = relate(a, b)
    assert rel is None or not rel.is_copy


def test_loosely_aligned_reports_sharing_one_figure_are_not_a_copy() -> None:
    # two reports of one dispute: each sentence of the short one is about as close to every
    # sentence of the long one, and one pair shares a figure of the event ("4,000")
    later = encode(
        "later",
        "The port union is presenting its case against planned job cuts in the cargo sector to "
        "parliament today, a spokesman said. With 285 of the 4,000 workers on strike, the union "
        "will also take its case to a court tomorrow.",
    )
    earlier = encode(
        "earlier",
        "The port union called off its strikes against planned job cuts in the cargo sector, its "
        "leader Paul Rosen told a meeting. A court ruling stopped the employers from going ahead "
        "with 350 job cuts this year. Rosen spoke to a meeting of the sector's 4,000 workers. "
        "The strikes began in January against plans for 800 job cuts. The employers will meet "
        "their lawyers to apply again next week.",
    )
    alike = np.zeros((1, later.vectors.shape[1]), dtype=later.vectors.dtype)
    alike[0, 0] = 1.0  # every sentence as close to every other: no link is preferred

    def verdict(similarity: float) -> Relation | None:
        a = replace(later, vectors=np.repeat(alike, 2, axis=0))
        b = replace(earlier, vectors=np.repeat(alike, 5, axis=0))
        links = (
            Link((0,), (0,), similarity, 0.5, "static"),
            Link((1,), (2,), similarity, 0.45, "static"),
        )
        alignment = Alignment("later", "earlier", links, (), 0.8, 0.4, 2, 5, 1.0)
        return classify(alignment, a, b, CLASSIFY)

    loose = verdict(CLASSIFY.loose_similarity - 0.1)
    assert loose is None or not loose.is_copy
    close = verdict(CLASSIFY.loose_similarity + 0.05)  # a rewrite's sentences are this close
    assert close is not None and close.kind == "condensed"


def test_evidence_is_filled() -> None:
    rel = relate(encode("a", SOURCE.replace("approved", "passed")), encode("b", SOURCE))
    assert rel is not None
    assert rel.evidence.aligned == len(rel.links) > 0
    assert rel.evidence.kind_reason and rel.evidence.direction_reason
    assert 0.0 <= rel.coverage_derived <= 1.0 and 0.0 <= rel.coverage_source <= 1.0


# Two long sentences a web page lifted from another page, inside otherwise unrelated text: too few
# to be partial reuse by coverage (two links, a third of either text), but kept word for word.
PASSAGE = (
    "The Lindholm river bridge was built in 1911 by the engineer Karl Strand, who used granite "
    "from the quarries at Oster Malma for its seven arches. "
    "After the flood of 1977 the county rebuilt the two western pillars and added a footpath "
    "on the downstream side of the bridge, which the ferry company later paid to light."
)
PAGE_A = (
    "Our walking club meets every second Sunday at the old station. "
    "Members bring their own lunch and a map of the route. "
    + PASSAGE
    + " Last month twelve walkers followed the canal to the lock keeper's cottage. "
    "New members can join at the door without booking."
)
PAGE_B = (
    "The history of the county is told in the museum's new rooms. "
    "A model of the harbour shows the port as it was around 1850. "
    "Visitors can also see the diaries of the first schoolteacher. "
    + PASSAGE
    + " The museum is open from Tuesday to Saturday, and entry is free for children."
)


def test_a_passage_kept_word_for_word_is_reuse_however_little_of_the_texts_it_is() -> None:
    a, b = encode("a", PAGE_A), encode("b", PAGE_B)
    alignment = align_encoded(a, b, ALIGN)
    without = replace(CLASSIFY, kept_passage_chars=10**6)  # the coverage rules alone
    before = classify(alignment, a, b, without)
    assert before is None or not before.is_copy
    rel = classify(alignment, a, b, CLASSIFY)
    assert rel is not None and rel.kind == "partial_reuse"
    assert "word for word" in rel.evidence.kind_reason
    assert max(rel.coverage_derived, rel.coverage_source) < CLASSIFY.condensed_coverage


def test_a_passage_with_other_names_and_figures_is_a_template_not_reuse() -> None:
    other = (
        PASSAGE.replace("Lindholm", "Sandviken")
        .replace("1911", "1923")
        .replace("Karl Strand", "Erik Holm")
    )
    a, b = encode("a", PAGE_A), encode("b", PAGE_B.replace(PASSAGE, other))
    rel = classify(align_encoded(a, b, ALIGN), a, b, CLASSIFY)
    assert rel is None or not rel.is_copy


def test_three_short_sentences_kept_word_for_word_are_a_passage_too() -> None:
    lifted = (
        "The bridge was closed for repairs in 1977 after the flood. "
        "Its seven arches were rebuilt by the county engineers. "
        "A footpath was added on the downstream side."
    )
    a = encode("a", PAGE_A.replace(PASSAGE, lifted))
    b = encode("b", PAGE_B.replace(PASSAGE, lifted))
    alignment = align_encoded(a, b, ALIGN)
    ((kept, chars),) = [r for r in kept_passages(alignment.links, a, b) if r[0] > 1]
    assert kept == 3 and CLASSIFY.kept_passage_chars_three <= chars < CLASSIFY.kept_passage_chars
    # in a longer text the three would be too small a share for the coverage rules
    longer = replace(CLASSIFY, partial_min_coverage=0.9)
    rel = classify(alignment, a, b, longer)
    assert rel is not None and rel.kind == "partial_reuse"
    assert "3 sentences" in rel.evidence.kind_reason
    two_only = replace(longer, kept_passage_chars_three=10**6)
    before = classify(alignment, a, b, two_only)
    assert before is None or not before.is_copy


FILLER = (
    " The museum shop sells postcards, maps and books by local writers."
    " School classes can book a guided tour on weekday mornings."
    " A cafe on the ground floor serves soup and bread from a bakery in the square."
    " The garden behind the museum has benches and a small pond with ducks."
    " Volunteers answer questions in the rooms on the first floor at weekends."
    " The archive keeps old newspapers, letters and photographs for researchers."
    " Parking is free in the yard behind the building after six in the evening."
)

WALKS = (
    " Boots with a good grip matter more than a new jacket on the wet clay paths."
    " Our treasurer collects two pounds per walk for the minibus fund."
    " Dogs on a short lead are welcome on every route except the nature reserve."
    " The photo competition closes at the end of October with three prizes."
    " Walk leaders carry a first aid kit and a list of phone numbers."
    " In winter we finish at the Red Lion, which keeps a table for us by the fire."
    " Please tell the secretary if you can no longer come, so nobody waits."
)


def test_a_passage_pasted_from_mid_sentence_to_mid_sentence_is_reuse_by_its_words() -> None:
    # the page takes the source's passage from its fourth word to the middle of its last
    # sentence: no sentence of either text is kept whole, so none keeps its wording
    longer = PASSAGE + (
        " The bridge was closed for a year in 1999 while the county replaced its deck, and the "
        "ferry ran again."
    )
    source = PAGE_B.replace(PASSAGE, longer) + FILLER
    cut = longer[longer.index("bridge was built") : longer.index(" its deck")]
    page = (
        "Our walking club meets every second Sunday at the old station, and last week the guide "
        "told us the bridge was built " + cut + " and we stopped there for lunch. "
        "Members bring their own lunch and a map of the route. "
        "Last month twelve walkers followed the canal to the lock keeper's cottage. "
        "The autumn programme lists nine walks, two of them in the hills above the town. "
        "Children under ten walk free when an adult member comes with them. "
        "New members can join at the door without booking."
    ) + WALKS
    a, b = encode("a", page), encode("b", source)
    alignment = align_encoded(a, b, ALIGN)
    assert len(cut) >= CLASSIFY.kept_passage_chars
    # in longer pages the three sentences touched would be too small a share for coverage
    config = replace(CLASSIFY, partial_min_coverage=0.9)
    rel = classify(alignment, a, b, config)
    assert rel is not None and rel.kind == "partial_reuse"
    assert "words" in rel.evidence.kind_reason and "word for word" in rel.evidence.kind_reason
    run = next(p for p in rel.passages if p.similarity == 1.0 and p.a[1] - p.a[0] > 250)
    side = {rel.derived: a, rel.source: b}
    assert cut.split()[2] in side[rel.derived].doc.text[run.a[0] : run.a[1]]
    assert cut.split()[2] in side[rel.source].doc.text[run.b[0] : run.b[1]]
    shorter = replace(config, kept_passage_chars=len(cut) + 50)
    for without in (shorter, replace(config, run_ngram=0)):  # too short, or runs turned off
        before = classify(alignment, a, b, without)
        assert before is None or not before.is_copy


def test_a_passage_shared_by_texts_of_unlike_length_has_no_direction_by_containment() -> None:
    """The shorter text's higher coverage says only that it is shorter when the other is several
    times longer: it may have quoted the longer or been pasted into it."""
    events = (
        " The summer fair fills the square with stalls on the first Saturday of August."
        " A brass band from the coast plays on the museum steps in the afternoon."
        " The library lends board games to families during the school holidays."
        " Cyclists can hire bikes at the tourist office by the day or by the week."
    )
    short = encode("short", PAGE_A)
    like = relate(short, encode("other", PAGE_B + FILLER))
    assert like is not None and like.kind == "partial_reuse"
    assert (like.derived, like.direction) == ("short", "containment")
    longer = encode("other", PAGE_B + FILLER + WALKS + events)
    unlike = relate(short, longer)
    assert unlike is not None and unlike.kind == "partial_reuse" and unlike.derived == "short"
    assert unlike.coverage_source < CLASSIFY.unlike_length_ratio * unlike.coverage_derived
    assert unlike.direction == "unknown"
    assert "unlike length" in unlike.evidence.direction_reason
    without = replace(CLASSIFY, unlike_length_ratio=0.0)  # the coverage gap alone
    before = classify(align_encoded(short, longer, ALIGN), short, longer, without)
    assert before is not None and before.direction == "containment"


def test_a_short_text_whole_in_the_middle_of_a_long_one_has_no_direction() -> None:
    """A brief cut from a long report takes its lead or sentences throughout; a text pasted into a
    longer one lands as one block anywhere. At the start it reads as a cut; in the middle, as
    either."""
    notice = PASSAGE + " The ferry company now runs a museum boat under the bridge in summer."
    before, after = (
        PAGE_B.split(PASSAGE)[0] + FILLER,
        WALKS
        + (
            " The summer fair fills the square with stalls on the first Saturday of August."
            " A brass band from the coast plays on the museum steps in the afternoon."
            " The library lends board games to families during the school holidays."
            " Cyclists can hire bikes at the tourist office by the day or by the week."
        ),
    )
    short = encode("short", notice)
    middle = relate(short, encode("long", f"{before} {notice}{after}"))
    assert middle is not None and middle.kind == "condensed" and middle.direction == "unknown"
    assert middle.coverage_source < CLASSIFY.unlike_length_ratio * middle.coverage_derived
    assert "one block, its sentences 11-13 of 24" in middle.evidence.direction_reason
    lead = relate(short, encode("long", f"{notice} {before}{after}"))
    assert lead is not None and lead.kind == "condensed"
    assert (lead.derived, lead.direction) == ("short", "containment")
