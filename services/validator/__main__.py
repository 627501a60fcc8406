from services.validator.app import main
from shopflow.runtime.service import run

run("validator", main)
