(show) => { document.body.classList.toggle('rag-show-scores', !!show); }
