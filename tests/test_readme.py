"""Every code block of README.md runs as written, in order, against `vimsim serve` with its
defaults (the conventions are in tests/readme_blocks.py). Blocks that run govc run in the
real-client suite instead (tests/clients/test_readme_govc.py)."""
import pytest

from readme_blocks import (ReadmeError, curl_without_fail, parse, readme_blocks, run_all,
                           serving)


def test_readme_blocks_run_in_order(tmp_path):
    blocks = [b for b in readme_blocks() if b.kind and not b.needs_govc]
    assert len(blocks) >= 10, "the README lost its runnable blocks: %s" % blocks
    run_all(tmp_path, blocks)


def test_a_broken_block_fails_the_run(tmp_path):
    with serving(tmp_path) as run:
        [good] = parse("```python\nprint('fine')\n```\n")
        run(good)
        for broken in ("```python\nprint(undefined)\n```\n",
                       "```sh\nfalse\necho unreachable\n```\n",
                       "```sh\ncurl -sk $VIMSIM_URL/nothing-here\n```\n",
                       "```sh\ncurl -fsk ${VIMSIM_URL%/sdk}/vimsim/v1/no-such-route\n```\n"):
            [block] = parse(broken)
            with pytest.raises(pytest.fail.Exception, match="README.md line 1"):
                run(block)


def test_the_conventions():
    blocks = parse("<!-- readme-test: skip starts the server -->\n```sh\nscripts/serve\n```\n"
                   "```text\nVIMSIM_URL=...\n```\n"
                   "```python\n# test_mine.py\ndef test_x(): pass\n```\n"
                   "  ```bash\n  govc ls\n  ```\n"
                   "```yaml\n# my-fixture.yaml\nusers: []\n```\n"
                   "```sh\n# deploy.sh\necho runs\n```\n")
    assert [(b.line, b.kind, b.skip, b.save_as) for b in blocks] == [
        (2, None, "starts the server", None), (5, None, None, None),
        (8, "save", None, "test_mine.py"), (12, "sh", None, None),
        (15, "save", None, "my-fixture.yaml"), (19, "sh", None, None)]
    assert blocks[3].text == "govc ls\n"
    assert blocks[3].needs_govc and not blocks[2].needs_govc
    [curl] = parse("```sh\ncurl -k -u a:b https://x/ | jq .  # curl -f in a comment\n"
                   "curl -fk https://y/\ncurl --fail-with-body \\\n  https://z/\n```\n")
    assert curl_without_fail(curl) == ["curl -k -u a:b https://x/"]
    for bad in ("<!-- readme-test: skip -->\n```sh\nx\n```\n",
                "<!-- readme-test: server -->\n", "```sh\nnever closed\n"):
        with pytest.raises(ReadmeError):
            parse(bad)
