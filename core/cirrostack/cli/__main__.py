from cirrostack.cli import main

main()
