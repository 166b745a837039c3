"""Player starters: each file has the launch wrapper and the kernel's skeleton; the math is yours."""
