/**
 * Served for `/` when the renderer has not been built (no dist/renderer/index.html), so the host
 * still answers and says what to do instead of a bare 404.
 */
export const FALLBACK_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Ferry</title></head>
<body>
<h1>Ferry</h1>
<p>The Ferry host is running, but the renderer is not built.</p>
<p>Run <code>npm run build</code> and reload this page.</p>
</body>
</html>
`;
