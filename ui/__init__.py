"""The only package that uses streamlit: cached loaders, state keys, widgets."""
