// The Sources panel: "Show whole article" asks the server for the article (rag/ui/sources.py).
element.addEventListener('click', (e) => {
  const btn = e.target instanceof Element ? e.target.closest('.show-article') : null;
  if (!btn) return;
  e.preventDefault();
  const d = btn.dataset;
  window.ragChat.openArticle(server, {source: d.source, start: +d.start, end: +d.end, hs: +d.hs, he: +d.he}, btn);
});
