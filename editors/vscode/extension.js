// The client glue: start `reef lsp` for Reef files. Syntax colouring works
// without it (package.json and the grammar); this adds the language server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("reef").get("path", "reef");
  client = new LanguageClient(
    "reef",
    "Reef",
    { command, args: ["lsp"] },
    { documentSelector: [{ language: "reef" }] },
  );
  client.start();
  context.subscriptions.push(client);
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
