// Document-level behaviour: marker clicks focus their source, "Copy", and the whole-article dialog.
(() => {
  if (window.ragChat) return;
  const evidenceRoot = () => document.querySelector('#rag-evidence .rag-evidence');
  function showTurn(turn) {
    const root = evidenceRoot();
    if (!root) return null;
    let found = null;
    root.querySelectorAll('section.ev-turn').forEach((s) => {
      const on = s.dataset.turn === String(turn);
      s.hidden = !on;
      if (on) found = s;
    });
    return found;
  }
  function focusCitation(turn, n) {
    const section = showTurn(turn);
    if (!section) return false;
    const item = document.getElementById('ev-' + turn + '-' + n);
    if (!item) return false;
    document.querySelectorAll('.ev-item.focused').forEach((e) => e.classList.remove('focused'));
    item.classList.add('focused');
    item.scrollIntoView({block: 'nearest', behavior: 'smooth'});
    item.focus({preventScroll: true});
    return true;
  }
  async function copyText(text) {
    try {
      if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); return true; }
    } catch (e) { /* fall back below */ }
    const area = document.createElement('textarea');
    area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }
  let opener = null;
  function dialog() {
    let dlg = document.getElementById('rag-article-dialog');
    if (!dlg) {
      dlg = document.createElement('dialog');
      dlg.id = 'rag-article-dialog';
      dlg.setAttribute('aria-labelledby', 'rag-article-title');
      dlg.addEventListener('click', (e) => {
        if (e.target === dlg || e.target.closest('.close-article')) dlg.close();
      });
      dlg.addEventListener('close', () => { if (opener && opener.isConnected) opener.focus(); opener = null; });
      document.body.appendChild(dlg);
    }
    return dlg;
  }
  function showArticle(html, from) {
    const dlg = dialog();
    opener = from || document.activeElement;
    dlg.innerHTML = html;  // from the server's autoescaped templates (rag/ui/templates)
    if (!dlg.open) dlg.showModal();
    const mark = dlg.querySelector('mark');
    const text = dlg.querySelector('.article-text');
    if (mark) { mark.scrollIntoView({block: 'center'}); } else if (text) { text.scrollTop = 0; }
    const close = dlg.querySelector('.close-article');
    if (close) close.focus({preventScroll: true});
  }
  async function openArticle(server, request, from) {
    if (from) from.setAttribute('aria-busy', 'true');
    try {
      showArticle(await server.article_view(request), from);
    } catch (e) {
      showArticle('<div class="article-view"><header class="article-head"><h2 id="rag-article-title">Could not open the article</h2>' +
        '<button type="button" class="close-article">Close</button></header><p>Please try again.</p></div>', from);
    } finally { if (from) from.removeAttribute('aria-busy'); }
  }
  document.addEventListener('click', (e) => {
    const target = e.target instanceof Element ? e.target : null;
    if (!target) return;
    const cite = target.closest('a.cite');
    if (cite) {
      const m = /^#ev-(\d+)-(\d+)$/.exec(cite.getAttribute('href') || '');
      if (m) { e.preventDefault(); e.stopPropagation(); focusCitation(m[1], m[2]); }
      return;
    }
    const copy = target.closest('.copy-answer');
    if (copy) {
      e.preventDefault(); e.stopPropagation();
      const answer = copy.closest('.rag-answer');
      const turn = answer ? answer.id.replace('ans-', '') : '';
      const root = evidenceRoot();
      const section = root && root.querySelector('section.ev-turn[data-turn="' + turn + '"]');
      const text = (section && section.dataset.copy) || (answer ? answer.querySelector('.answer-text').innerText : '');
      copyText(text).then((ok) => {
        copy.textContent = ok ? 'Copied' : 'Copy failed';
        setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
      });
      return;
    }
    const answer = target.closest('.rag-answer');
    if (answer && answer.id) showTurn(answer.id.replace('ans-', ''));
  }, true);
  // Gradio labels each message with its raw HTML; give screen readers the text instead.
  let labelPending = false;
  function fixLabels() {
    labelPending = false;
    document.querySelectorAll('#rag-chatbot [data-testid="bot"], #rag-chatbot [data-testid="user"]').forEach((el) => {
      const part = el.querySelector('.answer-text, .rag-question') || el.querySelector('.message-content') || el;
      const who = el.dataset.testid === 'bot' ? 'Answer' : 'Question';
      const label = who + ': ' + (part.innerText || part.textContent || '').replace(/\s+/g, ' ').trim();
      if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
    });
  }
  new MutationObserver(() => {
    if (!labelPending) { labelPending = true; requestAnimationFrame(fixLabels); }
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true,
                                        attributes: true, attributeFilter: ['aria-label']});
  window.ragChat = {showTurn, focusCitation, showArticle, openArticle, copyText};
})();
