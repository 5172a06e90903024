"""Write ``moderato evaluate`` results into ``models/MODEL_CARD.md`` between markers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models.train import SUGGESTED

CARD = Path(__file__).resolve().parent / "MODEL_CARD.md"
UNSEEN_BY_PROFANITY = (
    "jigsaw-test", "jigsaw-test-threat", "olid-test", "wikipedia-cat-large", "ethos",
)  # fmt: skip


# Hand-written comments (not from any dataset), scored by the shipped models for the card.
EXAMPLES = [
    ("legitimate link", "The council's own report is here: "
     "https://www.bbc.co.uk/news/uk-england-68123456 - worth reading before commenting."),
    ("legitimate link", "Source for the 40% figure: https://www.ons.gov.uk/economy/"
     "inflationandpriceindices/bulletins/consumerpriceinflation/latest"),
    ("legitimate link", "The Guardian covered this last year https://www.theguardian.com/"
     "politics/2023/mar/14/budget-analysis and the numbers haven't changed."),
    ("legitimate link", "Full text of the ruling: https://www.supremecourt.gov/opinions/"
     "22pdf/21-476_c185.pdf (page 12 is the key part)."),
    ("legitimate link", "Here's the original study rather than the press release: "
     "https://doi.org/10.1038/s41586-020-2012-7"),
    ("legitimate link", "Map of the closures: https://goo.gl/maps/Xk2pQ7"),
    ("spam", "Earn $500/day from home!!! Visit http://bit.ly/3xQ9abc now, limited spots"),
    ("spam", "Great article! Check out my site http://cheap-pills-online.example for the best "
     "deals"),
    ("spam", "I made $9,000 last month trading with Mrs. Jane, contact her on WhatsApp "
     "+1 (555) 014-2231"),
    ("spam (blog/news site)", "viagra viagra viagra cialis levitra"),
    ("spam (blog/news site)", "Cheap viagra!!! Buy now at http://cheap-pills.example  "
     "http://bit.ly/xyz WIN $$$ casino bonus"),
    ("spam (blog/news site)", "Buy cheap viagra and cialis online without prescription "
     "http://pharma-store.example"),
    ("spam (blog/news site)", "Nice post. I like it. Visit my site for cheap replica watches "
     "http://replica.example"),
    ("spam (bot template)", "Hello there! This is my first comment here so I just wanted to "
     "give a quick shout out and tell you I really enjoy reading your articles."),
    ("benign mention", "The casino project was rejected by the planning committee again."),
    ("benign mention", "Doctors warn that buying prescription drugs online is dangerous."),
    ("threat", "Watch your back. I know where you live."),
    ("threat", "I will find you and make you regret this."),
    ("threat", "People like you should be dealt with, one way or another."),
    ("threat", "We are coming for you and your family."),
    ("threat (no listed phrase)", "Keep posting this and you'll find out what happens to "
     "people like you."),
    ("threat (no listed phrase)", "Your address isn't hard to find. Think about that."),
    ("benign look-alike", "I know where you live is a great title for a thriller."),
    ("benign look-alike", "I will find you the link to the report tomorrow."),
    ("benign look-alike", "Watch the back row of the photo, that's the mayor."),
    ("threat (third party)", "I will find the mayor and hurt him."),
    ("threat (third party)", "I know where the planner lives. Someone should pay him a visit."),
    ("benign look-alike", "We should kill the bill before the vote, and someone should take "
     "out the trash."),
    ("identity mention", "I am gay."),
    ("identity mention", "As a black woman, I found this piece moving."),
    ("identity mention", "My neighbour is muslim and very kind."),
    ("identity abuse", "Muslims are vermin and should be thrown out of this country."),
    ("identity abuse", "Those people are animals, not human beings."),
    ("identity abuse", "Go back to your own country, nobody wants you here."),
    ("benign look-alike", "Rats are vermin and the council has to deal with the infestation."),
    ("benign look-alike", "The refugees were sent back to the border last week, the ministry "
     "said."),
    ("self-promotion", "Check me out! I'm a new rapper, sub to me and I'll sub back"),
    ("self-promotion", "Great article. Please check out my blog, I write about the same topics."),
    ("benign look-alike", "Check out the council's own figures, page 4 of the report."),
    ("spam (disguised link)", "Earn $400 a day working from home, all the details at "
     "quick-income(dot)com"),
    ("spam (disguised link)", "Lose 10 kg in two weeks with this one trick: slimfast-secret*com"),
    ("benign look-alike", "I read about it on bbc. com yesterday"),
    ("insult", "You are a complete idiot and nobody wants you here."),
    ("benign", "Thanks, the second chart makes the budget changes clear."),
]  # fmt: skip
# The default policy of CONTRACTS.md, as the receipts suggest it (train.SUGGESTED).
PUBLISH_BELOW = {task: t["publish_below"] for task, t in SUGGESTED.items()}
REJECT_ABOVE = {task: t["reject_above"] for task, t in SUGGESTED.items()}


def decision(result: dict[str, Any]) -> str:
    """Return the default ``auto`` policy's decision for a scoring result."""
    if any(result[task] >= limit for task, limit in REJECT_ABOVE.items()):
        return "reject"
    if all(result[task] < limit for task, limit in PUBLISH_BELOW.items()):
        return "publish"
    return "hold"


def examples(scorer: Any) -> list[str]:
    """Return the examples table: scores, default-policy decision and top reason."""
    results = scorer.score([{"text": text} for _, text in EXAMPLES])
    lines = [
        "| kind | comment | spam | toxicity | default policy | top reason |",
        "|---|---|--:|--:|---|---|",
    ]
    for (kind, text), r in zip(EXAMPLES, results, strict=True):
        model = max(("spam", "toxicity"), key=lambda task: r[task])
        top = next((x for x in r["reasons"] if x["model"] == model), None)
        reason = ""
        if top:
            reason = f"{top['model']} {top['kind']}: {top['text']} ({top['weight']:+.2f})"
        cell, reason = text.replace("|", "\\|"), reason.replace("|", "\\|")
        lines.append(
            f"| {kind} | {cell} | {r['spam']:.3f} | {r['toxicity']:.3f} | {decision(r)} "
            f"| {reason} |"
        )
    return lines


def write(
    rows: list[Any],
    links: list[Any],
    olid_macro: float,
    olid_threshold: float,
    youtube: dict[str, tuple[float, float]],
    scorer: Any = None,
    intervals: dict[str, tuple[float, float]] | None = None,
) -> None:
    """Replace the metrics, link, examples and targets sections of the model card."""
    metrics = [
        "| task | split | system | n | pos | ROC AUC | PR AUC | F1@t | P@R95 | Brier "
        "| pos rejected | neg published | neg rejected | note |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
        *(
            f"| {r.task} | {r.split} | {r.system} | {r.n} | {r.positives} | {r.roc_auc:.4f} "
            f"| {r.pr_auc:.4f} | {r.f1:.4f} | {r.precision_at_95:.4f} | {r.brier:.4f} "
            f"| {r.rejected_pos:.4f} | {r.published_neg:.4f} | {r.rejected_neg:.4f} | {r.note} |"
            for r in rows
        ),
        "",
        f"OLID test macro-F1 (ours, threshold {olid_threshold:.3f} picked on out-of-fold "
        f"scores of OLID train): **{olid_macro:.4f}**",
        "",
        *(
            f"YouTube cross-video mean ({system}): ROC AUC **{auc:.4f}**, F1 **{f1:.4f}**"
            for system, (auc, f1) in youtube.items()
        ),
    ]
    link = [
        "| split | system | n | spam ≥ 0.5 (not auto-published) | spam ≥ 0.95 (auto-rejected) |",
        "|---|---|--:|--:|--:|",
        *(f"| {r.split} | {r.system} | {r.n} | {r.held:.4f} | {r.rejected:.4f} |" for r in links),
    ]
    text = CARD.read_text() if CARD.is_file() else ""
    text = _replace(text, "metrics", metrics)
    text = _replace(text, "links", link)
    text = _replace(text, "targets", targets(rows, links, olid_macro, youtube, intervals or {}))
    if scorer is not None:
        text = _replace(text, "examples", examples(scorer))
    CARD.write_text(text)


def targets(
    rows: list[Any],
    links: list[Any],
    olid_macro: float,
    youtube: dict[str, tuple[float, float]],
    intervals: dict[str, tuple[float, float]] | None = None,
) -> list[str]:
    """Return the targets-vs-results table, with 95% bootstrap intervals where computed."""
    ci = intervals or {}

    def auc(split: str, system: str = "ours") -> float:
        return next((r.roc_auc for r in rows if r.split == split and r.system == system), 0.0)

    def mark(ok: bool) -> str:
        return "**met**" if ok else "not met"

    def span(*names: str) -> str:
        found = [ci[n] for n in names if n in ci]
        return " / ".join(f"{low:.4f} to {high:.4f}" for low, high in found) or "—"

    yt_auc, yt_f1 = youtube.get("ours", (0.0, 0.0))
    beat = [(s, auc(s), auc(s, "alt-profanity-check")) for s in UNSEEN_BY_PROFANITY]
    ours = [r for r in links if r.system == "ours"]
    rejected = max((r.rejected for r in ours), default=0.0)
    link_result = ", ".join(
        f"{r.split} {r.rejected:.2%} ({round(r.rejected * r.n)} of {r.n})" for r in ours
    )
    link_ci = ", ".join(
        f"{r.split} {low:.2%} to {high:.2%}"
        for r in ours
        for low, high in [ci[f"{r.split} rejected"]]
        if f"{r.split} rejected" in ci
    )
    link_ci = f"{link_ci} (Wilson)" if link_ci else "—"
    lines = [
        "| target | result | 95% interval (bootstrap; Wilson for shares) | |",
        "|---|---|---|---|",
        f"| YouTube cross-video mean ROC AUC ≥ 0.99 and F1 ≥ 0.94 | {yt_auc:.4f} / {yt_f1:.4f} "
        f"| {span('youtube_auc', 'youtube_f1')} | {mark(yt_auc >= 0.99 and yt_f1 >= 0.94)} |",
        f"| YouTube pilot videos ROC AUC ≥ 0.97 | {auc('youtube-pilot'):.4f} "
        f"| {span('youtube-pilot')} | {mark(auc('youtube-pilot') >= 0.97)} |",
        f"| SMS test ROC AUC ≥ 0.995 | {auc('sms-test'):.4f} | {span('sms-test')} "
        f"| {mark(auc('sms-test') >= 0.995)} |",
        f"| Jigsaw official-test subset ROC AUC ≥ 0.96 and above alt-profanity-check "
        f"| {auc('jigsaw-test'):.4f} vs {auc('jigsaw-test', 'alt-profanity-check'):.4f} "
        f"| {span('jigsaw-test')}; difference {span('jigsaw-test - apc')} "
        f"| {mark(auc('jigsaw-test') >= 0.96 and beat[0][1] > beat[0][2])} |",
        f"| OLID test macro-F1 ≥ 0.78 (threshold from OLID train) | {olid_macro:.4f} "
        f"| {span('olid_macro_f1')} | {mark(olid_macro >= 0.78)} |",
        "| ROC AUC above alt-profanity-check on every split it was not trained on | "
        + ", ".join(f"{s} {a:.4f} vs {b:.4f}" for s, a, b in beat)
        + " | differences: "
        + ", ".join(f"{s} {span(s + ' - apc')}" for s, _, _ in beat)
        + f" | {mark(all(a > b for _, a, b in beat))} |",
        f"| Legitimate comments with links are not rejected as spam (held out) "
        f"| at most 1% at ≥ 0.95: {link_result} | {link_ci} | {mark(rejected <= 0.01)} |",
    ]
    return lines


def _replace(text: str, name: str, lines: list[str]) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        return text
    head, rest = text.split(start, 1)
    return head + start + "\n" + "\n".join(lines) + "\n" + end + rest.split(end, 1)[1]
