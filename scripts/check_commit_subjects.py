"""Fail when a commit after the cut-off has a subject longer than 72 characters, so `git log --oneline` stays
readable (issue 36). Commits up to the cut-off keep their long subjects: history is not rewritten.

    python scripts/check_commit_subjects.py            # the commits in 34941ab..HEAD
    python scripts/check_commit_subjects.py --since REV --max 72

Exit 0 when every subject fits, or when the cut-off is not in HEAD's history (a shallow clone, another branch):
then it says so and checks nothing. Exit 1 naming each commit whose subject is too long.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

CUT_OFF = "34941ab"  # the cut-off issue 36 set: the commits after it must comply
MAX_SUBJECT = 72


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True)


def long_subjects(since: str, limit: int) -> list[tuple[str, str]]:
    """(commit, subject) for each commit in since..HEAD whose subject is longer than `limit` characters."""
    log = _git("log", "--format=%H%x00%s", f"{since}..HEAD")
    if log.returncode != 0:
        raise RuntimeError(log.stderr.strip() or "git log failed")
    commits = [line.split("\0", 1) for line in log.stdout.splitlines() if line]
    return [(sha, subject) for sha, subject in commits if len(subject) > limit]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--since", default=CUT_OFF, help=f"check the commits after this one (default {CUT_OFF})")
    parser.add_argument("--max", type=int, default=MAX_SUBJECT, help=f"longest subject allowed (default {MAX_SUBJECT})")
    args = parser.parse_args(argv)
    if _git("merge-base", "--is-ancestor", args.since, "HEAD").returncode != 0:
        print(f"commit subjects: {args.since} is not in HEAD's history here (a shallow clone?); nothing checked")
        return 0
    too_long = long_subjects(args.since, args.max)
    for sha, subject in too_long:
        print(f"{sha[:10]}: subject of {len(subject)} characters (at most {args.max}): {subject}", file=sys.stderr)
    if too_long:
        print(f"commit subjects: {len(too_long)} too long; put the detail in the body", file=sys.stderr)
        return 1
    print(f"commit subjects: every subject after {args.since} is at most {args.max} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
