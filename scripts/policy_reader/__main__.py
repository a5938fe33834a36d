from policy_reader.cli.main import main

raise SystemExit(main())
