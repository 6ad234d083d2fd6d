"""An agent reads a 10,000-block document through the official MCP Python SDK (`mcp`),
page by page, while another client writes to it.

Usage: long_document.py CONFIG_JSON, where CONFIG_JSON has url (folio's base URL) and
key (a write key). Every page's result must stay under 20,000 tokens (its JSON's
characters / 4), every page must be of the first page's version, and the pages must
concatenate to exactly that version's content; a tampered cursor and another document's
cursor are refused. Prints one JSON line with what it saw; exits non-zero on the first
failed check.
"""

import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def tokens(result):
    return len(json.dumps(result.model_dump(mode="json", by_alias=True, exclude_none=True))) // 4


async def main(config):
    client = create_mcp_http_client(headers={"X-API-Key": config["key"]})
    async with streamable_http_client(config["url"] + "/mcp", http_client=client) as streams:
        async with ClientSession(streams[0], streams[1]) as s:
            await s.initialize()

            async def ok(name, **args):
                result = await s.call_tool(name, args)
                text = " ".join(getattr(c, "text", "") for c in result.content)
                check(not result.is_error, f"{name} failed: {text}")
                return result

            created = (await ok("create_document", title="Long")).structured_content
            doc = created["id"]
            other = (await ok("create_document", title="Other")).structured_content["id"]
            for batch in range(10):
                commands = [{"type": "add_paragraph",
                             "text": f"Paragraph {batch * 1000 + i}: some words of the document."}
                            for i in range(1000)]
                written = (await ok("run_commands", document_id=doc, commands=commands)).structured_content
            version = written["version"]

            pages, largest, cursor = [], 0, None
            while True:
                args = {"document_id": doc}
                if cursor is None:
                    args["min_version"] = version
                else:
                    args["cursor"] = cursor
                result = await ok("get_content", **args)
                largest = max(largest, tokens(result))
                check(tokens(result) < 20_000, f"a page of {tokens(result)} tokens")
                page = result.structured_content
                check(page["version"] == version, f"page of version {page['version']}, not {version}")
                pages.append(page)
                # Someone else writes between the pages.
                await ok("add_paragraph", document_id=doc, text="written meanwhile")
                cursor = page.get("next_cursor")
                if cursor is None:
                    break
                check(len(pages) < 1000, "the pages end")

            whole = (await ok("get_content", document_id=doc, version=version,
                              budget=1_000_000)).structured_content
            joined = [b for p in pages for b in p["blocks"]]
            check(len(whole["blocks"]) == 10_000, f"{len(whole['blocks'])} blocks at version {version}")
            check(joined == whole["blocks"], "the pages concatenate to the version's content")

            first = pages[0]["next_cursor"]
            parts = first.split(".")
            parts[2] = str(int(parts[2]) + 1)
            for name, args in [
                ("tampered", {"document_id": doc, "cursor": ".".join(parts)}),
                ("another document's", {"document_id": other, "cursor": first}),
            ]:
                result = await s.call_tool("get_content", args)
                text = " ".join(getattr(c, "text", "") for c in result.content)
                check(result.is_error and text.startswith("validation_failed"),
                      f"a {name} cursor: {text}")

            print(json.dumps({"pages": len(pages), "largest_page_tokens": largest,
                              "version": version}))


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
