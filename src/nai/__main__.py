from nai.cli import main

main()
