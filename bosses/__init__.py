"""Boss fights: one folder per module, named by the module's id.

Each folder holds the trusted side of a fight: `boss.py` (the cases and the judge),
`reference.py` (a solution that wins) and `wrong/` (plausible solutions that must lose).
Only the judge process imports these files; the player's code never sees them.
"""
