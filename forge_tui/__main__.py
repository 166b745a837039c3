from forge_tui.cli import main

raise SystemExit(main())
