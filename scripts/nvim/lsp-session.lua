-- One editing session against `amc lsp` through Neovim's built-in client
-- (Neovim 0.7 or newer), run by scripts/test-nvim-lsp.sh:
--   nvim --headless -u NONE -c "luafile scripts/nvim/lsp-session.lua"
-- Reads AMC (the amc binary) and SPEC_DIR (a copy of an example whose
-- spec.kdl has `exposure="loopbak"`). Exits 0 when every check passes,
-- else prints what failed and exits 1.

local amc = assert(os.getenv("AMC"), "AMC is not set")
local root = assert(os.getenv("SPEC_DIR"), "SPEC_DIR is not set")
local TIMEOUT = 60000

local function fail(msg)
  io.stderr:write("test-nvim-lsp: FAIL: " .. msg .. "\n")
  vim.cmd("cquit 1")
end

local function ok(msg)
  io.stdout:write("test-nvim-lsp: ok: " .. msg .. "\n")
end

local function find(buf, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
  fail("`" .. needle .. "` is not in the buffer")
end

local function buffer_has(buf, needle)
  local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
  return text:find(needle, 1, true) ~= nil
end

local function main()
  vim.cmd("edit " .. vim.fn.fnameescape(root .. "/spec.kdl"))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = "kdl"
  local id = vim.lsp.start_client({ name = "amc", cmd = { amc, "lsp" }, root_dir = root })
  if not id then
    return fail("`" .. amc .. " lsp` did not start")
  end
  vim.lsp.buf_attach_client(buf, id)
  local client = vim.lsp.get_client_by_id(id)
  local uri = vim.uri_from_bufnr(buf)
  local function request(method, params)
    local res, err = client.request_sync(method, params, TIMEOUT, buf)
    if not res then
      fail(method .. ": no answer (" .. tostring(err) .. ")")
    end
    return res.result, res.err
  end
  local function at(line, col)
    return { textDocument = { uri = uri }, position = { line = line, character = col } }
  end

  -- Diagnostics: the misspelt exposure is reported.
  local got = vim.wait(TIMEOUT, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.message:find("loopbak", 1, true) then
        return true
      end
    end
    return false
  end, 50)
  if not got then
    return fail("no diagnostic about `loopbak` within 60 s: " .. vim.inspect(vim.diagnostic.get(buf)))
  end
  ok("diagnostics published (" .. #vim.diagnostic.get(buf) .. ")")

  -- Code action: the quick fix replaces the value; the diagnostics clear.
  local line = find(buf, "loopbak")
  local actions = request("textDocument/codeAction", {
    textDocument = { uri = uri },
    range = { start = { line = line, character = 0 }, ["end"] = { line = line, character = 200 } },
    context = { diagnostics = {} },
  })
  local fix
  for _, a in ipairs(actions or {}) do
    if a.title == "replace with `loopback`" then
      fix = a
    end
  end
  if not fix or fix.kind ~= "quickfix" then
    return fail("no quick fix `replace with `loopback``: " .. vim.inspect(actions))
  end
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
  if not buffer_has(buf, 'exposure="loopback"') then
    return fail("the quick fix did not write `loopback`")
  end
  got = vim.wait(TIMEOUT, function()
    return #vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR }) == 0
  end, 50)
  if not got then
    return fail("errors left after the quick fix: " .. vim.inspect(vim.diagnostic.get(buf)))
  end
  ok("code action applied; no errors left")

  -- Hover on `pod`: the catalogue's documentation.
  local l, c = find(buf, 'pod "coder"')
  local hover = request("textDocument/hover", at(l, c + 1))
  local md = hover and hover.contents and hover.contents.value or ""
  if not md:find("pod", 1, true) then
    return fail("hover on `pod` says nothing about pods: " .. vim.inspect(hover))
  end
  ok("hover")

  -- Document symbols: the definitions, by id.
  local syms = request("textDocument/documentSymbol", { textDocument = { uri = uri } })
  local names = {}
  for _, s in ipairs(syms or {}) do
    names[s.name] = s.detail
  end
  if names["ws-1"] ~= "machine" or names["coder"] ~= "pod" then
    return fail("document symbols lack machine ws-1 or pod coder: " .. vim.inspect(names))
  end
  ok("document symbols")

  -- Inlay hints: where the pod was placed.
  local hints = request("textDocument/inlayHint", {
    textDocument = { uri = uri },
    range = { start = { line = 0, character = 0 }, ["end"] = { line = 999, character = 0 } },
  })
  local placed = false
  for _, h in ipairs(hints or {}) do
    if h.label == "→ ws-1" then
      placed = true
    end
  end
  if not placed then
    return fail("no inlay hint `→ ws-1`: " .. vim.inspect(hints))
  end
  ok("inlay hints")

  -- Semantic tokens: five numbers per token.
  local toks = request("textDocument/semanticTokens/full", { textDocument = { uri = uri } })
  if not toks or #toks.data == 0 or #toks.data % 5 ~= 0 then
    return fail("bad semantic tokens: " .. vim.inspect(toks))
  end
  ok("semantic tokens (" .. (#toks.data / 5) .. ")")

  -- Rename: an invalid id is refused; a valid one edits definition and use.
  l, c = find(buf, '"ws-1"')
  local params = at(l, c + 1)
  params.newName = "Not An Id"
  local _, err = request("textDocument/rename", params)
  if not err then
    return fail("rename to `Not An Id` was not refused")
  end
  params.newName = "ws-2"
  local edit = request("textDocument/rename", params)
  if not edit or not edit.changes then
    return fail("rename returned no edit")
  end
  vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding)
  if not buffer_has(buf, 'machine "ws-2"') or buffer_has(buf, '"ws-1"') then
    return fail("rename did not turn every `ws-1` into `ws-2`")
  end
  ok("rename")

  client.stop()
  vim.wait(5000, function()
    return client.is_stopped()
  end, 50)
  vim.cmd("qall!")
end

local status, e = pcall(main)
if not status then
  fail(tostring(e))
end
