"""What the tests of the quota report, through the engine and through the API, hold it to."""

# The targets of the quota report in the order the contract lists them.
CONTRACT_TARGETS = [
    "key_project_count",
    "key_project_total_investment",
    "key_project_investment_progress",
    "bond_reserve_count",
    "bond_reserve_demand",
    "attraction_count",
    "attraction_big_share",
    "attraction_key_industry_share",
    "attraction_started_share",
]
