"""An agent's session with folio through the official MCP Python SDK (`mcp`).

Usage: scenario.py CONFIG_JSON, where CONFIG_JSON has
  transport   "http" (streamable HTTP with an X-API-Key header) or "stdio" (`folio mcp`)
  url         the folio server's base URL
  key         a write key of the default tenant
  viewer_key  a read-only key of the default tenant
  suggest_key a suggest-only key of the default tenant
  foreign_doc a document id of another tenant
  folio       the folio binary (for stdio)

The SDK checks every tool result's structuredContent against the tool's output schema.
Prints one JSON line with what it saw; exits non-zero on the first failed check.
"""

import asyncio
import base64
import io
import json
import sys

import docx
import jsonschema
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def connect(config, key):
    if config["transport"] == "http":
        client = create_mcp_http_client(headers={"X-API-Key": key})
        return streamable_http_client(config["url"] + "/mcp", http_client=client)
    params = StdioServerParameters(
        command=config["folio"],
        args=["mcp", "--url", config["url"]],
        env={"FOLIO_API_KEY": key, "PATH": "/usr/bin:/bin"},
    )
    return stdio_client(params)


class Session:
    def __init__(self, config, key):
        self.config, self.key = config, key

    async def __aenter__(self):
        self._transport = connect(self.config, self.key)
        streams = await self._transport.__aenter__()
        self._session = ClientSession(streams[0], streams[1])
        self.session = await self._session.__aenter__()
        await self.session.initialize()
        return self

    async def __aexit__(self, *exc):
        await self._session.__aexit__(*exc)
        await self._transport.__aexit__(*exc)

    async def call(self, name, /, **args):
        result = await self.session.call_tool(name, args)
        return result

    async def ok(self, name, /, **args):
        result = await self.call(name, **args)
        text = " ".join(getattr(c, "text", "") for c in result.content)
        check(not result.is_error, f"{name}({args}) failed: {text}")
        check(result.structured_content is not None, f"{name} gave no structuredContent")
        return result.structured_content

    async def refused(self, name, code, /, **args):
        result = await self.call(name, **args)
        text = " ".join(getattr(c, "text", "") for c in result.content)
        check(result.is_error, f"{name}({args}) should be refused with {code}, got {text}")
        check(text.startswith(code), f"{name} refused with {text!r}, expected code {code}")
        return text


async def scenario(config):
    seen = {}
    async with Session(config, config["key"]) as s:
        tools = (await s.session.list_tools()).tools
        names = {t.name for t in tools}
        for tool in tools:
            jsonschema.Draft202012Validator.check_schema(tool.input_schema)
            check(tool.input_schema.get("type") == "object", f"{tool.name} input is not an object")
            check(tool.output_schema is not None, f"{tool.name} has no output schema")
            jsonschema.Draft202012Validator.check_schema(tool.output_schema)
            for field, schema in tool.input_schema.get("properties", {}).items():
                check("description" in schema, f"{tool.name}.{field} is not described")
        seen["tools"] = len(tools)
        for needed in ["create_document", "add_heading", "add_paragraph", "add_table", "add_list",
                       "format_text", "replace_text", "get_text", "get_outline", "get_history",
                       "get_docx", "search_documents", "get_audit", "run_commands", "get_diff",
                       "get_blame", "label_version", "revert_to_version"]:
            check(needed in names, f"no tool {needed}")
        read_only = {t.name: t.annotations.read_only_hint for t in tools if t.annotations}
        check(read_only.get("get_text") is True and read_only.get("add_paragraph") is False,
              f"annotations: {read_only}")

        created = await s.ok("create_document", title="Contract")
        doc = created["id"]
        await s.ok("add_heading", document_id=doc, text="Terms", level=1)
        para = await s.ok("add_paragraph", document_id=doc, text="The supplier shall deliver.",
                          reason="first draft")
        block = para["created"]["block_ids"][0]
        await s.ok("add_table", document_id=doc, data=[["Item", "Price"], ["Paper", "3"]],
                   header_row=True)
        await s.ok("add_list", document_id=doc, kind="bullet", items=["one", "two"])
        await s.ok("format_text", document_id=doc, block_id=block, start=4, end=12, bold=True)
        replaced = await s.ok("replace_text", document_id=doc, find="supplier", replace="vendor")
        version = replaced["version"]
        seen["version"] = version

        text = await s.ok("get_text", document_id=doc, min_version=version)
        check("The vendor shall deliver." in text["text"], f"text: {text}")
        # Outline first, then only the section needed.
        outline = await s.ok("get_outline", document_id=doc, min_version=version)
        check([i["text"] for i in outline["items"]] == ["Terms"], f"outline: {outline}")
        check(outline["items"][0]["blocks"] >= 1, f"blocks under the heading: {outline}")
        section = await s.ok("get_section_text", document_id=doc,
                             heading_block_id=outline["items"][0]["block_id"])
        check("The vendor shall deliver." in section["text"], f"section: {section}")
        history = await s.ok("get_history", document_id=doc)
        kinds = [e["type"] for e in history["items"]]
        check(kinds[0] == "DocumentCreated" and "TextReplaced" in kinds, f"history: {kinds}")
        check(any(e.get("reason") == "first draft" for e in history["items"]), "reason not recorded")
        seen["events"] = len(kinds)

        past = await s.ok("get_text", document_id=doc, version=3)
        check(past["version"] == 3 and "supplier" in past["text"], f"time travel: {past}")

        # The .docx, as a tool result (embedded resource) and as a resource.
        result = await s.call("get_docx", document_id=doc, min_version=version)
        check(not result.is_error, "get_docx failed")
        blobs = [c.resource for c in result.content if getattr(c, "type", "") == "resource"]
        check(blobs and blobs[0].mime_type == DOCX_MIME, f"docx content: {result.content}")
        resource = await s.session.read_resource(f"folio://documents/{doc}/docx")
        data = base64.b64decode(resource.contents[0].blob)
        word = docx.Document(io.BytesIO(data))
        paragraphs = [p.text for p in word.paragraphs]
        check("The vendor shall deliver." in paragraphs, f"python-docx read {paragraphs}")
        check(word.tables[0].rows[1].cells[0].text == "Paper", "table cell")
        seen["docx_bytes"] = len(data)
        listed = await s.session.read_resource("folio://documents")
        check(doc in listed.contents[0].text, "folio://documents lists the document")
        templates = (await s.session.list_resource_templates()).resource_templates
        check(len(templates) == 4, f"templates: {templates}")

        # Refusals are tool results with isError and a stable code.
        await s.refused("delete_text", "range_out_of_bounds", document_id=doc, block_id=block,
                        offset=2, length=18446744073709551615)
        stale = await s.refused("add_paragraph", "stale_version", document_id=doc, text="late",
                                if_match=1, strict=True)
        check(f"version {version}" in stale, f"stale answer names the current version: {stale}")
        await s.refused("add_paragraph", "validation_failed", document_id=doc, text="x", colour=1)
        await s.refused("get_content", "document_not_found", document_id=config["foreign_doc"])
        try:
            await s.session.read_resource(f"folio://documents/{config['foreign_doc']}/text")
            raise AssertionError("another tenant's resource was readable")
        except AssertionError:
            raise
        except Exception as e:  # the SDK raises the JSON-RPC error
            check("no resource" in str(e), f"foreign resource error: {e}")

        # A dry run appends nothing.
        dry = await s.ok("add_paragraph", document_id=doc, text="maybe", dry_run=True)
        check(dry["dry_run"] is True and dry["version"] == version + 1, f"dry run: {dry}")
        check(dry["events"][0]["payload"]["text"] if "text" in dry["events"][0]["payload"] else True,
              "dry run shows the event")
        summary = await s.ok("get_document", document_id=doc)
        check(summary["version"] == version, f"dry run appended: {summary}")
        batch = await s.ok("run_commands", document_id=doc, commands=[
            {"type": "add_paragraph", "text": "a"}, {"type": "add_page_break"}])
        check(batch["version"] == version + 2, f"batch: {batch}")
        seen["doc"] = doc

        # An image: uploaded as base64, listed, and its file returned as an embedded
        # resource of its own type, byte for byte.
        png = base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==")
        added = await s.ok("add_image", document_id=doc, data_base64=base64.b64encode(png).decode(),
                           alt_text="A dot", width_mm=10)
        images = await s.ok("list_images", document_id=doc, min_version=added["version"])
        check([i["alt_text"] for i in images["images"]] == ["A dot"], f"images: {images}")
        result = await s.call("get_media", document_id=doc, media=images["images"][0]["media"])
        files = [c.resource for c in result.content if getattr(c, "type", "") == "resource"]
        check(files and files[0].mime_type == "image/png" and base64.b64decode(files[0].blob) == png,
              f"media content: {result.content}")
        await s.refused("add_image", "invalid_field", document_id=doc, data_base64="AAAA")

        # Import: a Word file (this document's own .docx) in base64 becomes a new document;
        # its original comes back byte for byte; what is no Word file is refused, named.
        result = await s.call("get_docx", document_id=doc, min_version=added["version"])
        word_file = [c.resource for c in result.content if getattr(c, "type", "") == "resource"][0].blob
        imported = await s.ok("import_document", data_base64=word_file, title="Imported contract",
                              reason="bring it in")
        check(imported["title"] == "Imported contract" and imported["blocks"] > 3,
              f"import: {imported}")
        result = await s.call("get_original", document_id=imported["id"])
        files = [c.resource for c in result.content if getattr(c, "type", "") == "resource"]
        check(files and base64.b64decode(files[0].blob) == base64.b64decode(word_file),
              "the original comes back as uploaded")
        text = await s.ok("get_text", document_id=imported["id"], min_version=imported["version"])
        check("shall deliver." in text["text"] and "[image: A dot]" in text["text"],
              f"imported text: {text}")
        await s.refused("import_document", "invalid_docx",
                        data_base64=base64.b64encode(b"not a word file").decode())

        # The audit trail: a label, what changed since, who wrote what, the Word redline
        # as an embedded resource (python-docx opens it), and a revert shown first.
        await s.ok("label_version", document_id=doc, version=3, name="first-draft")
        diff = await s.ok("get_diff", document_id=doc, **{"from": "first-draft"}, to=version)
        check(any(b["change"] == "changed" for b in diff["blocks"]), f"diff: {diff}")
        blame = await s.ok("get_blame", document_id=doc, version=version)
        words = [r["text"] for b in blame["blocks"] for r in b["ranges"]]
        check("vendor" in words, f"blame: {words}")
        result = await s.call("get_diff", document_id=doc, **{"from": "first-draft"}, to=version,
                              format="docx")
        check(not result.is_error, "the redline failed")
        files = [c.resource for c in result.content if getattr(c, "type", "") == "resource"]
        check(files and files[0].mime_type == DOCX_MIME, f"redline content: {result.content}")
        docx.Document(io.BytesIO(base64.b64decode(files[0].blob)))
        preview = await s.ok("revert_to_version", document_id=doc, version="first-draft",
                             dry_run=True)
        check(preview["dry_run"] and preview["events"][-1]["type"] == "DocumentReverted",
              f"revert preview: {preview}")
        await s.refused("get_blame", "version_not_found", document_id=doc, version="no-such")

        # Review: a comment on "vendor", a reply, the thread resolved, read back; a footnote.
        await s.ok("add_comment", document_id=doc, block_id=block, start=4, end=10,
                   text="Which vendor?")
        await s.ok("reply_to_comment", document_id=doc, comment_id="c1", text="The one in 2.1.")
        resolved = await s.ok("resolve_comment", document_id=doc, comment_id="c1")
        threads = await s.ok("get_comments", document_id=doc, min_version=resolved["version"])
        thread = threads["comments"][0]
        check(thread["anchor_text"] == "vendor" and thread["resolved"]
              and thread["replies"][0]["text"] == "The one in 2.1.", f"comments: {threads}")
        still_open = await s.ok("get_comments", document_id=doc, status="open")
        check(still_open["comments"] == [], f"open comments: {still_open}")
        noted = await s.ok("add_footnote", document_id=doc, block_id=block, text="See clause 2.")
        notes = await s.ok("get_notes", document_id=doc, min_version=noted["version"])
        check(notes["notes"][0]["number"] == 1 and notes["notes"][0]["text"] == "See clause 2.",
              f"notes: {notes}")
        await s.refused("resolve_comment", "invalid_field", document_id=doc, comment_id="c99")
        seen["comments"] = len(threads["comments"])

        # Keys and users, where the principal may (this key is an admin of its tenant).
        users = await s.ok("list_users")
        check(isinstance(users["items"], list), f"users: {users}")
        made = await s.ok("create_api_key", name="agent key", scopes=["read"])
        check(made["key"].startswith("folio_"), f"created key: {made}")
        keys = await s.ok("list_api_keys")
        check(any(k["id"] == made["id"] for k in keys["items"]), "the new key is listed")
        await s.ok("revoke_api_key", id=made["id"])

    # A suggest-only agent proposes: its edits are suggestions, the accepted content stays;
    # an editor accepts one and rejects another.
    async with Session(config, config["suggest_key"]) as agent:
        before = await agent.ok("get_text", document_id=doc)
        first = await agent.ok("insert_text", document_id=doc, block_id=block, offset=0,
                               text="Hereby ")
        check(first["events"][0]["type"] == "SuggestionMade", f"suggested: {first}")
        await agent.ok("add_paragraph", document_id=doc, text="A new clause.", suggest=True)
        after = await agent.ok("get_text", document_id=doc, min_version=first["version"] + 1)
        check(after["text"] == before["text"], "a suggestion changed the accepted content")
        await agent.refused("set_title", "forbidden", document_id=doc, title="Agent's now")
        await agent.refused("accept_suggestion", "forbidden", document_id=doc,
                            suggestion_id="s1")
        open_ones = await agent.ok("get_suggestions", document_id=doc, status="open")
        check([s["author"] for s in open_ones["suggestions"]] == ["Agent", "Agent"],
              f"suggestions: {open_ones}")
    async with Session(config, config["key"]) as s:
        await s.ok("accept_suggestion", document_id=doc, suggestion_id="s1")
        decided = await s.ok("reject_suggestion", document_id=doc, suggestion_id="s2")
        text = await s.ok("get_text", document_id=doc, min_version=decided["version"])
        check(text["text"].count("Hereby") == 1 and "A new clause." not in text["text"],
              f"after the decisions: {text}")
        seen["suggestions"] = 2

    async with Session(config, config["viewer_key"]) as viewer:
        await viewer.refused("add_paragraph", "forbidden", document_id=doc, text="no")
        await viewer.refused("list_users", "forbidden")
        await viewer.refused("create_api_key", "forbidden", name="escalate", scopes=["write"])
        text = await viewer.ok("get_text", document_id=doc)
        check("vendor" in text["text"], "a viewer reads")
    print(json.dumps(seen))


if __name__ == "__main__":
    asyncio.run(scenario(json.loads(sys.argv[1])))
