"""contexts"""
