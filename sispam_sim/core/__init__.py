"""The lowest floor: pure helpers every layer above may use (random streams, travel, dispatch
policies). Nothing here imports another sispam_sim package."""
