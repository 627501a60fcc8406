-- The dbt project (warehouse/) builds the users' own models into schema `custom` as the
-- transformer role; the API and the BI reader do not see it unless granted (docs/warehouse.md).
CREATE SCHEMA IF NOT EXISTS custom;
REVOKE ALL ON SCHEMA custom FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA custom TO shopflow_transformer;
-- dbt reads the core tables it declares as sources, and their tests read them too.
GRANT USAGE ON SCHEMA warehouse, marts, staging TO shopflow_transformer;
GRANT SELECT ON ALL TABLES IN SCHEMA warehouse, marts TO shopflow_transformer;
