"""Writes of the orders app (quotes, orders, dispatch, jobs, makers). Views, tasks and admin call these."""
