"""The unlock tools' screens. Imported only when a tool opens (they may import numpy)."""
