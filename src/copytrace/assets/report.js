// copytrace HTML report: linked passages and keyboard moves. The page reads fine without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var motion = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";

  function passage(node) {
    return node && node.closest ? node.closest(".p[data-p]") : null;
  }
  function counterpart(el) {
    var pair = el.closest(".pair"), own = el.closest(".side");
    if (!pair || !own) return null;
    var other = pair.querySelector(".side:not([data-side='" + own.dataset.side + "'])");
    return other ? other.querySelector(".p[data-p='" + el.dataset.p + "']") : null;
  }
  function light(el, on) {
    var pair = el.closest(".pair");
    if (!pair) return;
    pair.querySelectorAll(".p[data-p='" + el.dataset.p + "']").forEach(function (x) {
      x.classList.toggle("active", on);
    });
  }
  // Side by side, each text scrolls in its own box: bring the counterpart into view there
  // without moving the page under the reader's pointer.
  function follow(el) {
    var other = counterpart(el);
    if (!other) return;
    var box = other.closest(".text");
    if (box && box.scrollHeight > box.clientHeight + 1 && getComputedStyle(box).overflowY !== "visible") {
      box.scrollTo({ top: other.offsetTop - box.clientHeight / 3, behavior: motion });
    }
  }
  function jump(el) {
    var other = counterpart(el);
    if (!other) return;
    other.focus({ preventScroll: true });
    other.scrollIntoView({ block: "center", behavior: motion });
  }

  document.addEventListener("mouseover", function (e) {
    var p = passage(e.target);
    if (p && !p.contains(e.relatedTarget)) { light(p, true); follow(p); }
  });
  document.addEventListener("mouseout", function (e) {
    var p = passage(e.target);
    if (p && !p.contains(e.relatedTarget)) light(p, false);
  });
  document.addEventListener("focusin", function (e) {
    var p = passage(e.target);
    if (p) { light(p, true); follow(p); }
  });
  document.addEventListener("focusout", function (e) {
    var p = passage(e.target);
    if (p) light(p, false);
  });
  document.addEventListener("click", function (e) {
    var p = passage(e.target);
    if (p && !e.target.closest("a")) jump(p);
  });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var p = passage(document.activeElement);
    if (e.key === "Enter" && p) { e.preventDefault(); jump(p); return; }
    if (e.key !== "n" && e.key !== "p") return;
    var scope = p ? p.closest(".side") : document.querySelector(".pair:target .side, .pair.open .side");
    if (!scope) return;
    var list = Array.prototype.slice.call(scope.querySelectorAll(".p[tabindex]"));
    if (!list.length) return;
    var i = p ? list.indexOf(p) : -1;
    var next = e.key === "n" ? list[Math.min(i + 1, list.length - 1)] : list[Math.max(i - 1, 0)];
    e.preventDefault();
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: "nearest", behavior: motion });
  });
  document.addEventListener("change", function (e) {
    var box = e.target;
    if (!box.matches || !box.matches("input[data-only-conflicts]")) return;
    var table = document.getElementById(box.getAttribute("data-only-conflicts"));
    if (table) table.classList.toggle("only-conflicts", box.checked);
  });
})();
