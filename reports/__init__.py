"""Reports drawn from an estate and a plan: workbooks and the board roadmap."""
