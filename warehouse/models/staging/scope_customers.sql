-- Customers this build touches: those the batch's customers, orders and reviews name
-- (every customer on a full refresh). A build is a pure function of staging restricted
-- to its scopes, which is why an incremental run and a full refresh give the same tables.
select customer_id from {{ source('staging', 'customers') }} where {{ in_build_batch() }}
union
select customer_id from {{ source('staging', 'orders') }} where {{ in_build_batch() }}
union
select customer_id from {{ source('staging', 'reviews') }}
where {{ in_build_batch() }} and customer_id is not null
