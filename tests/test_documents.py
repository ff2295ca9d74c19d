from pathlib import Path

import pytest
from conftest import CORPUS

from rag.documents import DocumentError, find_files, load_document, load_documents


def test_corpus_articles_load_with_title_and_date():
    docs, skipped = load_documents([CORPUS])
    assert not skipped
    by_name = {d.source: d for d in docs}
    assert set(by_name) == {p.name for p in CORPUS.glob("*.txt")}
    dated = by_name["002_a3ce7c2eb21b0992.txt"]
    assert dated.date == "2025-03-07"
    assert dated.title.startswith("Trump denied any bad blood")
    # a section label such as "NEWS" is not a title
    assert by_name["001_4d4d9a555159c093.txt"].title.startswith("Breaking News")
    # offsets refer to the file's own text
    raw = (CORPUS / "000_040434da69da0a92.txt").read_text(encoding="utf-8")
    assert by_name["000_040434da69da0a92.txt"].text == raw


def test_html_keeps_article_text_and_drops_boilerplate(tmp_path):
    page = tmp_path / "story.html"
    page.write_text(
        "<html><head><title>Council votes</title><script>var x=1;</script></head><body>"
        "<nav>Home | Sports</nav><article><h1>Council votes</h1><p>The council approved the park.</p>"
        "<p>Work starts in May.</p></article><footer>Copyright</footer></body></html>"
    )
    doc = load_document(page)
    assert doc.title == "Council votes"
    assert "The council approved the park." in doc.text and "Work starts in May." in doc.text
    assert "Home | Sports" not in doc.text and "var x" not in doc.text and "Copyright" not in doc.text


def test_markdown_title(tmp_path):
    md = tmp_path / "note.md"
    md.write_text("# Harbour bridge reopens after repairs\n\nThe bridge reopened on Monday.\n")
    assert load_document(md).title == "Harbour bridge reopens after repairs"


def test_a_short_heading_the_file_is_named_after_leads_the_title(tmp_path):
    # "OPEC" alone is too short to be taken for a headline, but opec.txt is named after it: the article
    # never says "OPEC" again until its end, and "It was founded ..." must still be about OPEC
    opec = tmp_path / "opec.txt"
    opec.write_text(
        "OPEC\n\nThe Organization of the Petroleum Exporting Countries is a cartel. It was founded in 1960.\n"
    )
    assert (
        load_document(opec).title
        == "OPEC: The Organization of the Petroleum Exporting Countries is a cartel. It was founded in 1960."
    )
    accented = tmp_path / "frederic_chopin.txt"
    accented.write_text("Frédéric Chopin\n\nFrédéric François Chopin was a Polish composer.\n", encoding="utf-8")
    assert load_document(accented).title.startswith("Frédéric Chopin: Frédéric François Chopin")
    label = tmp_path / "story.txt"  # a label the file is not named after is no title
    label.write_text("NEWS\nHarbour bridge reopens after repairs\n\nThe bridge reopened.\n")
    assert load_document(label).title == "Harbour bridge reopens after repairs"
    alone = tmp_path / "rhine.txt"  # the name alone, when nothing longer follows
    alone.write_text("Rhine\n\nA river.\n")
    assert load_document(alone).title == "Rhine"


def test_pdf_text_and_metadata_title(tmp_path):
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Title": "Empty report"})
    path = tmp_path / "empty.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    with pytest.raises(DocumentError, match="no readable text"):
        load_document(path)
    assert NameObject  # pypdf import works offline


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x00\x01\x02\x03" * 100, "binary"),
        ("corrupt.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("blank.txt", b"   \n\n  ", "no readable text"),
    ],
)
def test_bad_files_raise_a_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentError, match=reason):
        load_document(path)


def test_windows_1252_text_is_decoded(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Caf\u00e9 owners met the mayor on Tuesday to discuss rents.".encode("cp1252"))
    assert "Café" in load_document(path).text


def test_bad_files_are_skipped_and_the_rest_loads(tmp_path):
    (tmp_path / "good.txt").write_text("A good headline here\nThe body of a good article.")
    (tmp_path / "bad.txt").write_bytes(b"\x00\xff" * 50)
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    docs, skipped = load_documents([tmp_path])
    assert [d.source for d in docs] == ["good.txt"]
    assert [Path(s.path).name for s in skipped] == ["bad.txt"]


def test_symlink_loop_does_not_hang(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "story.txt").write_text("A headline for the story\nText.")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    files, skipped = find_files([tmp_path])
    assert [f.name for f in files] == ["story.txt"]
    assert any("loop" in s.reason for s in skipped)
