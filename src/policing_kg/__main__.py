from policing_kg.cli import main

main()
