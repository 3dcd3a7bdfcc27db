-- Reef in Neovim (0.10 or later): put this file in ~/.config/nvim/plugin/
-- (or paste it into init.lua). Neovim colours with tree-sitter grammars or
-- Vim syntax files, which Reef does not have yet: this gives the language
-- server's diagnostics, hover, completion, go to definition, symbols,
-- formatting (vim.lsp.buf.format()) and rename.
vim.filetype.add({ extension = { reef = "reef" } })

vim.api.nvim_create_autocmd("FileType", {
  pattern = "reef",
  callback = function(args)
    vim.bo[args.buf].commentstring = "// %s"
    vim.lsp.start({
      name = "reef",
      cmd = { "reef", "lsp" },
      root_dir = vim.fs.root(args.buf, { ".git" }) or vim.fn.expand("%:p:h"),
    })
  end,
})

-- With nvim-lspconfig instead, the same server as a custom config:
--   local configs = require("lspconfig.configs")
--   configs.reef = { default_config = {
--     cmd = { "reef", "lsp" }, filetypes = { "reef" },
--     root_dir = require("lspconfig.util").root_pattern(".git"),
--   } }
--   require("lspconfig").reef.setup({})
