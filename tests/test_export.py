"""Export and UI text are inert (issue 15, finding 5): document and user text never becomes markup."""
from __future__ import annotations

from markdown_it import MarkdownIt

from qa.present import conversation_markdown, md_escape
from tests.hostile import PAYLOADS, hostile_history


def test_md_escape_keeps_the_words_and_kills_the_markup():
    md = MarkdownIt("commonmark")
    for p in PAYLOADS:
        html = md.render(md_escape(p))
        assert "<" not in html.removeprefix("<p>").removesuffix("</p>\n"), (p, html)  # no tag but the paragraph
        assert "href" not in html and "src=" not in html.replace("src=x", "") or "&lt;" in html


def test_md_escape_round_trips_the_words():
    """What a reader sees is exactly the text (white space aside)."""
    import html as html_lib

    md = MarkdownIt("commonmark")
    for p in PAYLOADS:
        shown = html_lib.unescape(md.render(md_escape(p)).removeprefix("<p>").removesuffix("</p>\n"))
        assert shown == " ".join(p.split()), (p, shown)


def test_export_renders_no_tag_attribute_or_link_from_the_documents():
    html = MarkdownIt("commonmark").render(conversation_markdown(hostile_history()))
    for needle in ("<script", "<img", "<svg", "<iframe", "<a ", "<object", "<input", "<details", "<body",
                   "<marquee", "<style"):
        assert needle not in html, needle
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the words are kept, as text
