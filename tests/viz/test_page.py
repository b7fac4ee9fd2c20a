"""gankit.viz.page: the readers keep what a damaged file allows and say what they skipped."""

import os

from gankit.viz import page


def test_torn_or_wrong_json_and_bytes_that_are_not_utf8_become_notes_not_errors(tmp_path):
    (tmp_path / "torn.json").write_text('{"fid": 3')
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9")
    notes: list[str] = []
    assert page.read_object(tmp_path, "torn.json", notes) is None
    assert page.read_object(tmp_path, "list.json", notes) is None
    assert page.read_text(tmp_path, "latin1.txt", notes) == "caf\ufffd"
    assert page.read_sections("a: [", notes) == {} and page.read_sections("- a list", notes) == {}
    assert [n.split(":")[0] for n in notes] == ["could not read torn.json", "could not read list.json",
                                                "could not read all of latin1.txt", "could not read config.yaml",
                                                "could not read config.yaml"]
    assert "a JSON list, not an object" in notes[1] and "byte 4 is not UTF-8" in notes[2]


def test_a_link_out_of_the_folder_is_never_read(tmp_path):
    folder, outside = tmp_path / "run", tmp_path / "secret.json"
    folder.mkdir()
    outside.write_text('{"token": "not the run\'s"}')
    os.symlink(outside, folder / "card.json")
    notes: list[str] = []
    assert page.read_object(folder, "card.json", notes) is None
    assert notes == ["could not read card.json: a link to outside the folder, not read"]


def test_the_document_puts_what_it_skipped_under_its_heading_and_escapes_cells():
    html = page.document("t", ["<h1>t</h1>", page.table([{"name": "<b>", "fid": 1.23456}])], ["could not read x: y"])
    assert html.index("<h1>t</h1>") < html.index("Skipped") < html.index("<table>")
    assert "&lt;b&gt;" in html and "<td>1.235</td>" in html
    assert html.index("<table>") < html.index("dataset.imagesOk") < html.index("</body></html>")  # the check runs last
