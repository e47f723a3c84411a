from sispam_sim.cli.app import main

main()
