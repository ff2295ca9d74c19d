// The library table: View opens the article, Remove asks first, then tells the server.
element.addEventListener('click', (e) => {
  const t = e.target instanceof Element ? e.target : null;
  if (!t) return;
  const view = t.closest('.view-article');
  if (view) { e.preventDefault(); window.ragChat.openArticle(server, {source: view.dataset.source}, view); return; }
  const remove = t.closest('.remove-article');
  if (remove) {
    e.preventDefault();
    if (window.confirm('Remove "' + remove.dataset.title + '" from the library?')) {
      trigger('click', {action: 'remove', source: remove.dataset.source});
    }
  }
});
