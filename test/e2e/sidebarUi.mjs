// UI tests of the Sift sidebar (a webview view): filled in below.
/**
 * @param {{ page: import('playwright-core').Page, workspace: string, extensionDir: string, userDataDir: string, shots: string }} ctx
 * @returns {{ name: string, run: () => Promise<void> }[]}
 */
export function sidebarUiTests(ctx) {
  void ctx;
  return [];
}
