"""The ground every layer stands on: the error tree, the settings, reading spreadsheets. Imports nothing of ours."""
