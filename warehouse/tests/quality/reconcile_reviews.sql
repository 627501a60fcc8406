-- Every review in scope has exactly one fact_reviews row.
select s.review_id
from {{ ref('scope_reviews') }} s
left join {{ ref('fact_reviews') }} f using (review_id)
where f.review_id is null
