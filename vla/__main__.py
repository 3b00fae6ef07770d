from vla.cli import main

main()
