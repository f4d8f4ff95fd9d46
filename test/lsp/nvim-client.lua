-- Headless Neovim as the editor: its built-in LSP client starts `bkp lsp --stdio` on a
-- policy file, waits for the diagnostics, asks for a hover, and writes both as JSON.
local file, out = vim.env.BKP_FILE, vim.env.BKP_OUT
vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local config = {
  name = "bkp",
  cmd = { vim.env.BKP_NODE, vim.env.BKP_BIN, "lsp", "--stdio" },
  root_dir = vim.fn.fnamemodify(file, ":h"),
}
if vim.lsp.start then
  vim.lsp.start(config)
else -- Neovim 0.7: start the client, then attach the buffer
  local id = vim.lsp.start_client(config)
  vim.lsp.buf_attach_client(buf, id)
end
vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
local diags = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(diags, { lnum = d.lnum, col = d.col, end_col = d.end_col, severity = d.severity, message = d.message, code = (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or d.code })
end
local line = tonumber(vim.env.BKP_HOVER_LINE)
local hover = vim.lsp.buf_request_sync(buf, "textDocument/hover", {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  position = { line = line, character = 5 },
}, 15000)
local value
for _, r in pairs(hover or {}) do
  if r.result and r.result.contents then value = r.result.contents.value end
end
vim.fn.writefile({ vim.fn.json_encode({ diagnostics = diags, hover = value }) }, out)
vim.cmd("qall!")
