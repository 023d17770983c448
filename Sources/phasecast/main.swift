import PhasecastCLI

PhasecastCommand.main()
