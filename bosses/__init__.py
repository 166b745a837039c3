"""Boss fights: one folder per module, named by the module's id.

Each folder holds the trusted side of a fight: `boss.py` (the cases and the judge),
`reference.py` (a solution that wins) and `wrong/` (plausible solutions that must lose).
Only the judge process imports these files; the player's code never sees them.

The contract each `boss.py` keeps (the engine is written against exactly this):

- `ENTRY: str`: the lab function or class the fight exercises; `TIME_LIMIT_S: float` for
  the whole fight.
- `cases(rng: numpy.random.Generator) -> list[dict]`: at least eight cases, drawn from the
  per-fight secret seed plus hand-picked edge cases. Each is `{"name", "summary", "hint",
  "call": {"function", "args", "kwargs"}}` or `{"name", "summary", "hint", "script"}`. Args
  are JSON values; a NumPy array is `{"__ndarray__": nested_list, "dtype": "float64"}`. A
  script runs in the child with the player's lab bound to `lab` and NumPy to `np`, and sets
  `result`. A case may carry further keys of its own (module 2: "trial", "inputs"; module 4's
  big case: "seed", "targets", "probe"): notes that tell the judge which inputs were used,
  never expected values. The engine hands the same dict back to `judge` and needs to send only
  "call" or "script" to the child.
- `judge(case, got) -> (passed, expected_summary, message)`: `got` is the child's result
  decoded from JSON (arrays as nested lists, tuples as lists). The judge computes the expected
  answer itself, never raises (garbage, nan and wrong shapes all lose with a message), and
  words its message for a learner.

The folders' names contain hyphens, so load a boss by path
(`importlib.util.spec_from_file_location`) or with `importlib.import_module(
"forge_tui.bosses.<module-id>.boss")`; a boss that needs its reference loads it by path.
"""
