from nai.cli import cli

cli(prog_name="nai")
