"""The site shell's pages (home, sign-up, notifications) and the staff dashboard; each app's own pages live in
``<app>/pages/``."""
