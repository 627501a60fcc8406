-- Schema `build`: the working tables of the core dbt build (scopes, affected sets,
-- versions; warehouse/models/staging and intermediate). The transformer creates them in
-- every build's transaction (decision 0089); nobody else reads them.
CREATE SCHEMA IF NOT EXISTS build;
REVOKE ALL ON SCHEMA build FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA build TO shopflow_transformer;
