// The page's few behaviours Gradio does not give: citations and cards open the reader panel, answers copy as
// Markdown, the chat exports as a Markdown file. One listener on the document, so re-rendered HTML needs no wiring.
(() => {
  const newsdesk = (window.newsdesk = {});

  newsdesk.read = (href) => {
    const panel = document.getElementById("reader");
    if (!panel) {
      window.open(href, "_blank", "noopener");
      return;
    }
    panel.querySelector("iframe").src = href;
    panel.querySelector("a.newtab").href = href;
    panel.hidden = false;
    document.body.classList.add("reading");
    panel.querySelector("button.close").focus({ preventScroll: true });
  };

  newsdesk.close = () => {
    const panel = document.getElementById("reader");
    if (panel && !panel.hidden) {
      panel.hidden = true;
      document.body.classList.remove("reading");
    }
  };

  // navigator.clipboard needs a secure context; a LAN address over http is not one, so fall back to a selection.
  newsdesk.copy = async (text) => {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (error) {
      const area = document.createElement("textarea");
      area.value = text;
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      const done = document.execCommand("copy");
      area.remove();
      return done;
    }
  };

  newsdesk.chatMarkdown = () =>
    [...document.querySelectorAll("#conversation section.turn")]
      .map((turn) => {
        const question = turn.querySelector(".asked").textContent;
        const answer = turn.querySelector("button.copy");
        return `## ${question}\n\n${answer ? answer.dataset.markdown : "(no answer)"}\n`;
      })
      .join("\n");

  newsdesk.exportChat = () => {
    const markdown = newsdesk.chatMarkdown();
    if (!markdown) return;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([markdown], { type: "text/markdown" }));
    link.download = `newsdesk-chat-${new Date().toISOString().slice(0, 10)}.md`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(link.href);
  };

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-reader]");
    // A modified click (new tab, new window) is the browser's to handle: the reader page stands on its own.
    if (link && event.button === 0 && !(event.ctrlKey || event.metaKey || event.shiftKey || event.altKey)) {
      event.preventDefault();
      newsdesk.read(link.href);
      return;
    }
    const copy = event.target.closest("button.copy");
    if (copy) {
      newsdesk.copy(copy.dataset.markdown).then((done) => {
        copy.textContent = done ? "Copied" : "Copy failed";
        setTimeout(() => (copy.textContent = "Copy as Markdown"), 1500);
      });
      return;
    }
    if (event.target.closest("button.follow-up")) {
      const box = document.querySelector("#follow-up input[type=checkbox]");
      if (box && !box.checked) box.click();
      document.querySelector("#question textarea").focus();
      return;
    }
    if (event.target.closest("#reader button.close")) newsdesk.close();
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") newsdesk.close();
    // Enter while an answer is coming asks nothing (the text stays, for later): say so rather than seem deaf.
    const box = event.target.closest && event.target.closest("#question");
    if (box && event.key === "Enter" && !event.shiftKey && box.querySelector(".stop-button")) {
      let hint = box.querySelector(".busy-hint");
      if (!hint) {
        hint = document.createElement("p");
        hint.className = "busy-hint";
        hint.setAttribute("role", "status");
        hint.textContent = "This question waits until the answer above is done, or you press Stop.";
        box.appendChild(hint);
      }
      clearTimeout(hint.timer);
      hint.hidden = false;
      hint.timer = setTimeout(() => (hint.hidden = true), 4000);
    }
  });
})();
