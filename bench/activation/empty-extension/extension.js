// The activation benchmark's baseline: what activating any extension costs in this VS Code.
exports.activate = function activate() {};
exports.deactivate = function deactivate() {};
