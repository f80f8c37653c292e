"""What the commands print: pure functions from results to text, JSON and GitHub annotations.

One module per report (search hits, check verdicts, scan findings, lint findings, an
entry); :mod:`kb.output.github` is the one escaper of workflow commands. Nothing here
searches, loads or decides; the commands write what these functions return.
"""
